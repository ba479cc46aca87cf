import { describe, expect, it } from 'vitest';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import { validateOrderText, type Validation } from '../../../src/domain/order-event.js';

const catalog = loadDefaultCatalog();

const valid = {
  schema_version: 1,
  order_id: '0b6f6f0e-6c1e-4a53-9a57-3d2f0f1c9b11',
  timestamp: '2026-11-26T02:15:04.512Z',
  branch: 'Jhamsikhel',
  terminal_id: 'Jhamsikhel-2',
  order_details: [
    {
      item_id: 'HOT-1',
      item_name: 'Americano',
      category: 'hot_beverages',
      price: 185,
      quantity: 2,
      amount: 370,
    },
    { item_id: 'BRE-58', item_name: 'Waffle', category: 'breakfast', price: 775, quantity: 1, amount: 775 },
  ],
  total_order_amount: 1145,
  currency: 'NPR',
  mode_of_payment: 'mobile banking',
};

function check(mutate: (o: Record<string, unknown>) => void): Validation {
  const order = structuredClone(valid) as Record<string, unknown>;
  mutate(order);
  return validateOrderText(JSON.stringify(order), catalog);
}

function ruleOf(v: Validation): string | undefined {
  return v.ok ? undefined : v.rule;
}

describe('the event contract (DOMAIN.md, schema_version 1)', () => {
  it('accepts the documented example with exact paisa', () => {
    const v = validateOrderText(JSON.stringify(valid), catalog);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.order.totalPaisa).toBe(114500);
    expect(v.order.lines.map((l) => [l.lineNo, l.itemId, l.amountPaisa])).toEqual([
      [1, 'HOT-1', 37000],
      [2, 'BRE-58', 77500],
    ]);
  });

  it('accepts events of the original simulator without schema_version', () => {
    expect(check((o) => delete o['schema_version']).ok).toBe(true);
  });

  it('names the rule each bad input breaks', () => {
    expect(ruleOf(validateOrderText('{"order_id": "x"', catalog))).toBe('not_json');
    expect(ruleOf(validateOrderText('healthcheck', catalog))).toBe('not_json');
    expect(ruleOf(validateOrderText('[1,2]', catalog))).toBe('not_object');
    expect(ruleOf(check((o) => (o['schema_version'] = 2)))).toBe('schema_version');
    expect(ruleOf(check((o) => delete o['order_id']))).toBe('order_id');
    expect(ruleOf(check((o) => (o['timestamp'] = 'yesterday')))).toBe('timestamp');
    expect(ruleOf(check((o) => delete o['timestamp']))).toBe('timestamp');
    expect(ruleOf(check((o) => (o['branch'] = 'Atlantis')))).toBe('branch');
    expect(ruleOf(check((o) => (o['terminal_id'] = 7)))).toBe('terminal_id');
    expect(ruleOf(check((o) => (o['order_details'] = [])))).toBe('lines');
    expect(
      ruleOf(check((o) => ((o['order_details'] as { item_id: string }[])[0]!.item_id = 'HOT-999'))),
    ).toBe('item');
    expect(ruleOf(check((o) => ((o['order_details'] as { quantity: unknown }[])[0]!.quantity = 1.5)))).toBe(
      'quantity',
    );
    expect(ruleOf(check((o) => ((o['order_details'] as { quantity: unknown }[])[0]!.quantity = '2')))).toBe(
      'quantity',
    );
    expect(ruleOf(check((o) => ((o['order_details'] as { amount: number }[])[0]!.amount = 371)))).toBe(
      'amount',
    );
    expect(ruleOf(check((o) => (o['total_order_amount'] = 1146)))).toBe('total');
    expect(ruleOf(check((o) => (o['currency'] = 'USD')))).toBe('currency');
    expect(ruleOf(check((o) => (o['mode_of_payment'] = 'crypto')))).toBe('payment');
  });

  it('rejects the same item twice in one order', () => {
    const v = check((o) => {
      const lines = o['order_details'] as object[];
      lines.push(structuredClone(lines[0]!));
      o['total_order_amount'] = 1515;
    });
    expect(ruleOf(v)).toBe('item');
  });

  it('puts the rule name first in the reason', () => {
    const v = check((o) => (o['currency'] = 'USD'));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason.startsWith('currency: ')).toBe(true);
  });
});

describe('default catalog', () => {
  it("has the chain's 65 branches and 59 items with exact prices", () => {
    expect(catalog.branches).toHaveLength(65);
    expect(catalog.items).toHaveLength(59);
    expect(catalog.itemById.get('HOT-1')?.pricePaisa).toBe(18500);
    expect(catalog.branchByName.get('Pokhara Nadipur')?.city).toBe('Pokhara');
    expect(catalog.branches.every((b) => b.opensMinute === 7 * 60 && b.closesMinute === 21 * 60)).toBe(true);
  });
});

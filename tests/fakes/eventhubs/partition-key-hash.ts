/**
 * How the Event Hubs service maps a partition key to a partition: Bob Jenkins' lookup3 `hashlittle2` over the
 * key's UTF-8 bytes, `(c ^ b)` cast to int16, `abs(hash % partitionCount)`. This is the same function the
 * SDK's buffered producer uses to predict the service's choice (`partitionKeyToIdMapper.ts` in
 * Azure/azure-sdk-for-js), so a key lands where it would on the real service.
 */
export function partitionForKey(partitionKey: string, partitionCount: number): number {
  const hash = hashPartitionKey(partitionKey);
  return Math.abs(hash % partitionCount);
}

export function hashPartitionKey(partitionKey: string): number {
  const { b, c } = lookup3(Buffer.from(partitionKey, 'utf8'));
  return new Int16Array([c ^ b])[0]!;
}

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function lookup3(data: Buffer): { b: number; c: number } {
  let a = (0xdeadbeef + data.length) | 0;
  let b = a;
  let c = a;
  let index = 0;
  let size = data.length;
  while (size > 12) {
    a = (a + data.readUInt32LE(index)) | 0;
    b = (b + data.readUInt32LE(index + 4)) | 0;
    c = (c + data.readUInt32LE(index + 8)) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    index += 12;
    size -= 12;
  }
  const byte = (i: number): number => data[index + i]!;
  const word = (i: number): number => data.readUInt32LE(index + i);
  // The tail: lookup3 adds the last 1..12 bytes little-endian into c, b, a (a switch with fall-through in C).
  if (size === 0) return { b: b >>> 0, c: c >>> 0 };
  if (size === 12) {
    c = (c + word(8)) | 0;
  } else if (size > 8) {
    if (size >= 11) c = (c + (byte(10) << 16)) | 0;
    if (size >= 10) c = (c + (byte(9) << 8)) | 0;
    c = (c + byte(8)) | 0;
  }
  if (size >= 8) {
    b = (b + word(4)) | 0;
  } else if (size > 4) {
    if (size >= 7) b = (b + (byte(6) << 16)) | 0;
    if (size >= 6) b = (b + (byte(5) << 8)) | 0;
    b = (b + byte(4)) | 0;
  }
  if (size >= 4) {
    a = (a + word(0)) | 0;
  } else {
    if (size >= 3) a = (a + (byte(2) << 16)) | 0;
    if (size >= 2) a = (a + (byte(1) << 8)) | 0;
    a = (a + byte(0)) | 0;
  }
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return { b: b >>> 0, c: c >>> 0 };
}

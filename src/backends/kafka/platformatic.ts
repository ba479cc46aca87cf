import type * as PlatformaticKafka from '@platformatic/kafka';

/**
 * Loads @platformatic/kafka, repairing one protocol defect of its 1.x line first.
 *
 * Its `Reader.readTaggedFields` (1.35.0) reads the tagged-field section of a flexible response as one
 * zig-zag varint byte count and skips that many bytes. The Kafka protocol says the section is an unsigned
 * varint field *count*, then per field an unsigned varint tag, an unsigned varint size and the data. A
 * response that carries no tagged field (the usual case) reads the same either way; one that carries a field
 * leaves the reader misaligned, and the rest of the response fails to parse ("Out of bounds"). Kafka 3.7+
 * brokers add such a field to a Produce response after a leader change (`current_leader`,
 * `node_endpoints`, KIP-951), which is exactly when a producer is retrying through a broker restart: the
 * retry then fails with a parse error instead of succeeding. 2.x fixes it but requires Node 22.22.
 *
 * The repair is behavioural: it runs a one-field section through the library's reader and replaces the
 * method only if the reader lands in the wrong place, so a fixed release disables it by itself.
 */
let loaded: Promise<typeof PlatformaticKafka> | undefined;

export function loadPlatformaticKafka(): Promise<typeof PlatformaticKafka> {
  loaded ??= import('@platformatic/kafka').then((lib) => {
    repairTaggedFields(lib);
    return lib;
  });
  return loaded;
}

/** One tagged field (tag 0, 2 bytes of data) followed by a marker byte: a correct reader stops on 0x7f. */
const probe = Buffer.from([0x01, 0x00, 0x02, 0xaa, 0xbb, 0x7f]);

export function taggedFieldsReadCorrectly(lib: Pick<typeof PlatformaticKafka, 'Reader'>): boolean {
  const reader = lib.Reader.from(Buffer.from(probe));
  try {
    reader.readTaggedFields();
    return reader.readUnsignedInt8() === 0x7f;
  } catch {
    return false;
  }
}

export function repairTaggedFields(lib: Pick<typeof PlatformaticKafka, 'Reader'>): boolean {
  if (taggedFieldsReadCorrectly(lib)) return false;
  lib.Reader.prototype.readTaggedFields = function readTaggedFields(this: PlatformaticKafka.Reader): void {
    const fields = this.readUnsignedVarInt();
    for (let i = 0; i < fields; i++) {
      this.readUnsignedVarInt(); // tag
      this.skip(this.readUnsignedVarInt());
    }
  };
  return true;
}

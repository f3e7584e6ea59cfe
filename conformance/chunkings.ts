/**
 * Ways to cut a recorded body into network chunks. Replaying one fixture under all of them must
 * give the client the same bytes and the audit the same facts (CLI-09): the bridge may never
 * depend on where TCP happened to split a stream.
 */
export interface Chunking {
  readonly name: string;
  split(bytes: Uint8Array): Uint8Array[];
}

export const asRecorded: Chunking = {
  name: "as-recorded",
  split: (bytes) => (bytes.length === 0 ? [] : [bytes]),
};

export const oneByte: Chunking = {
  name: "one-byte",
  split: (bytes) => Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
};

/** Splits between every CR and the LF after it; without CRLF, inside every blank line (`\n|\n`). */
export const crlfSplit: Chunking = {
  name: "cr-lf",
  split(bytes) {
    const cuts: number[] = [];
    for (let i = 1; i < bytes.length; i++) if (bytes[i - 1] === 0x0d && bytes[i] === 0x0a) cuts.push(i);
    if (cuts.length === 0)
      for (let i = 1; i < bytes.length; i++) if (bytes[i - 1] === 0x0a && bytes[i] === 0x0a) cuts.push(i);
    return cutAt(bytes, cuts);
  },
};

/** Splits right after the lead byte of every multi-byte UTF-8 sequence. */
export const utf8Split: Chunking = {
  name: "utf8-inside",
  split(bytes) {
    const cuts: number[] = [];
    for (let i = 0; i + 1 < bytes.length; i++) if ((bytes[i] ?? 0) >= 0xc0) cuts.push(i + 1);
    return cutAt(bytes, cuts);
  },
};

/** Seeded random pieces of 1..maxPiece bytes: reproducible, so a failure can be replayed. */
export function randomSplits(seed: number, maxPiece = 64): Chunking {
  return {
    name: `random(seed=${seed})`,
    split(bytes) {
      const next = mulberry32(seed);
      const cuts: number[] = [];
      for (
        let at = 1 + Math.floor(next() * maxPiece);
        at < bytes.length;
        at += 1 + Math.floor(next() * maxPiece)
      )
        cuts.push(at);
      return cutAt(bytes, cuts);
    },
  };
}

/** Cuts at the given offsets (ascending, strictly inside the buffer). */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    if (cut <= from || cut >= bytes.length) continue;
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  if (from < bytes.length) pieces.push(bytes.subarray(from));
  return pieces;
}

/** Small deterministic PRNG (public-domain mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bodies up to this size are also replayed one byte at a time (keeps the suite fast). */
export const ONE_BYTE_MAX = 8 * 1024;

/** The chunkings a body of this size is replayed under. */
export function chunkingsFor(size: number, seeds: readonly number[] = [1, 2]): Chunking[] {
  const list = [asRecorded, crlfSplit, utf8Split, ...seeds.map((seed) => randomSplits(seed))];
  if (size <= ONE_BYTE_MAX) list.push(oneByte);
  return list;
}

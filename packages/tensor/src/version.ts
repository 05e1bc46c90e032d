/**
 * Version counters of tensor storage: how backward tells that a value it needs was overwritten
 * after the forward pass (PyTorch's "modified by an inplace operation" check), without copying
 * anything per op.
 *
 * A counter belongs to a storage array and is shared by the tensors the library makes over the same
 * array (views made by `reshape`/`squeeze`/`unsqueeze`/`flatten`, `detach()`); a second
 * `new Tensor(sameArray)` made by a caller gets its own counter (a registry of arrays would cost a
 * weak-map entry per tensor, slower than most small ops). It is bumped each time the array is
 * handed out for writing — every read of `t.data` outside the library's own ops, and every
 * in-place update the library makes itself (gradient accumulation into `.grad`). A graph node
 * records the version of each storage its backward reads, and backward compares.
 *
 * A getter cannot tell a read from a write, so a version mismatch alone would also reject code that
 * only looked at `t.data`. To tell the two apart, the first hand-out of a storage that a live node
 * saved at the current version takes a 32-bit fingerprint of its bytes (O(n), but only then: in a
 * training loop the nodes are freed by `backward()` before the optimizer touches the parameters);
 * on a mismatch backward fingerprints the current bytes and compares. A write through a reference
 * to `data` obtained BEFORE the forward pass is not seen: nothing was handed out after the save.
 */
import type { FloatArray } from "./dtype.js";

/** The version state of one storage array. */
export class Version {
  /** Bumped on every hand-out for writing. */
  version = 0;
  /** Graph nodes that saved this storage and have not been freed by backward. */
  live = 0;
  /** The latest version at which a node saved it (-1: never). */
  savedAt = -1;
  /** Fingerprint of the bytes, valid at every saved version in `[fpFrom, fpTo]` (-1: none). */
  fp = 0;
  fpFrom = -1;
  fpTo = -1;
}

let internal = 0;

/** Whether the library itself is reading storage (inside an op's forward or a backward sweep). */
export function inLibrary(): boolean {
  return internal > 0;
}

/**
 * Brackets library code (`enterLibrary(); try { … } finally { leaveLibrary(); }`): reads of `t.data`
 * in between do not count as hand-outs for writing.
 */
export function enterLibrary(): void {
  internal++;
}

export function leaveLibrary(): void {
  internal--;
}

/**
 * Records that `data` is handed out for writing (or written in place): fingerprints it first when
 * a live node saved it at the current version, then bumps the version.
 */
export function touch(v: Version, data: FloatArray): void {
  if (v.live > 0 && v.savedAt === v.version) {
    const h = fingerprint(data);
    if (v.fpTo >= 0 && h === v.fp) v.fpTo = v.version;
    else {
      v.fp = h;
      v.fpFrom = v.version;
      v.fpTo = v.version;
    }
  }
  v.version++;
}

/** Marks `v` as saved by a new live node at its current version; returns that version. */
export function save(v: Version): number {
  v.live++;
  v.savedAt = v.version;
  return v.version;
}

/** Whether the bytes of `data` are still those it had at version `saved` (see the file comment). */
export function unchangedSince(v: Version, saved: number, data: FloatArray): boolean {
  if (v.version === saved) return true;
  if (saved < v.fpFrom || saved > v.fpTo) return false;
  if (v.fpTo !== v.version) {
    if (fingerprint(data) !== v.fp) return false;
    v.fpTo = v.version;
  }
  return true;
}

/**
 * FNV-1a over the 32-bit words of the bytes: h ← (h ⊕ w)·16777619 mod 2³². Each step is a
 * bijection of h for a fixed word and of the word for a fixed h, so changing any single word
 * always changes the result; several changes cancel with probability 2⁻³².
 */
export function fingerprint(data: FloatArray): number {
  const words = new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619);
  return h;
}

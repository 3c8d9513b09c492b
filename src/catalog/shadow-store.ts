import type { ProductDocument } from './product';
import type { ProductIndex } from './product-index';
import type { StoredDocument } from './tag-store';

/**
 * A shadow index: the next model's index, built beside the live one while the live one serves. Its existence is
 * recorded in the store itself (a second alias), so every server sees it and mirrors its writes into it.
 */
export interface ShadowStore {
  /** The live alias's index and model identity, and the shadow's when one is being built. */
  describe(): Promise<{ live?: IndexInfo; shadow?: IndexInfo }>;
  /** Creates the shadow index for `identity` and points the shadow alias at it. Refuses when one exists. */
  create(identity: ModelIdentity): Promise<string>;
  /** The shadow index as a ProductIndex (reads and plain writes), or undefined when there is none. */
  shadowIndex(): ProductIndex;
  /** Every document of the live alias, of the shadow, or of a named index, with vectors and sequence numbers, in id order. */
  scan(side: 'live' | 'shadow' | { index: string }, batch?: number): AsyncGenerator<StoredDocument[]>;
  /** Shadow documents still without a vector (mirrored from a server of the previous model), in id order. */
  scanPending(batch?: number): AsyncGenerator<StoredDocument[]>;
  /** Conditional writes to the shadow; each lands only if the shadow's copy is still what was read. */
  write(ops: readonly ShadowWrite[]): Promise<ShadowWriteResult[]>;
  /**
   * Points the live alias at the shadow index in one atomic step. The shadow alias stays on it until
   * `dropShadowAlias`, so writes mirrored by servers that have not noticed yet still land.
   */
  promote(): Promise<{ index: string; previous: string[] }>;
  dropShadowAlias(): Promise<void>;
  /** Drops the shadow index (and with it its alias). */
  abort(): Promise<string | undefined>;
  refresh(side: 'live' | 'shadow'): Promise<void>;
}

export interface ModelIdentity {
  modelId: string;
  dims: number;
}

export interface IndexInfo {
  index: string;
  identity?: ModelIdentity;
  mappingVersion?: number;
}

/**
 * `expect`: the shadow copy as it was read (sequence number), or `absent`. A caller-versioned document is written with
 * its catalog version instead (refused only when a newer version is stored), so promotion keeps version order.
 */
export type ShadowWrite =
  | { kind: 'put'; doc: ProductDocument; expect: 'absent' | { seqNo: number; primaryTerm: number } }
  | { kind: 'delete'; id: string; expect: { seqNo: number; primaryTerm: number } };

export interface ShadowWriteResult {
  id: string;
  /** False: the shadow copy changed meanwhile (a mirrored write), which is newer than what this write was based on. */
  written: boolean;
}

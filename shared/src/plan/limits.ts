/** GitHub runs at most 256 jobs from one matrix; larger plans are split into shards of this size. */
export const MATRIX_LIMIT = 256

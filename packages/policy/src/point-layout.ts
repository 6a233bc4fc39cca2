/** Ints per point (13 field values, padded to a power of two): a packet as the trees read it. */
export const POINT_STRIDE = 16;

/**
 * Word of a point past its fields where batch lookups put the root of the packet's family's
 * tree, so that a walk needs nothing but the point.
 */
export const ROOT_WORD = 15;

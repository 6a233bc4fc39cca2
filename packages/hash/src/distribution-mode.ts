/**
 * How an interface hashes the packets entering it (domain.md section 2):
 * - `user` (internal side): destination address [+ source port]
 * - `network` (external side): source address [+ destination port]
 * - `general`: both addresses [+ both ports], symmetric
 * - `five-tuple`: both addresses, both ports and the IP protocol, symmetric
 */
export type DistributionMode = 'user' | 'network' | 'general' | 'five-tuple';

/** `l3`: addresses only; `l4`: addresses and ports (the vendor's Layer-4 distribution). */
export type DistributionLayer = 'l3' | 'l4';

/** Every distribution mode, in a stable order. */
export const DISTRIBUTION_MODES: readonly DistributionMode[] = ['user', 'network', 'general', 'five-tuple'];

/**
 * The largest captured length a packet record may claim (libpcap's and Wireshark's maximum
 * snapshot length). A larger claim is damage, reported as `BAD_LENGTH`, never an allocation.
 */
export const MAX_CAPTURE_LENGTH = 262_144;

/**
 * The largest pcapng block the readers hold in memory at once (a packet of
 * {@link MAX_CAPTURE_LENGTH} bytes plus room for options). Larger blocks of kinds the reader does
 * not need are skipped without being buffered; larger blocks of kinds it needs are `BAD_LENGTH`.
 */
export const MAX_BLOCK_LENGTH = 327_680;

/** The most pcapng interfaces one section may describe. */
export const MAX_INTERFACES = 65_536;

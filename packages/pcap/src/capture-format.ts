/** The two file formats the readers and writers speak. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** Magic numbers, as the first four bytes read big-endian. */
export const Magic: {
  readonly PCAP_MICRO_BE: 0xa1b2c3d4;
  readonly PCAP_MICRO_LE: 0xd4c3b2a1;
  readonly PCAP_NANO_BE: 0xa1b23c4d;
  readonly PCAP_NANO_LE: 0x4d3cb2a1;
  readonly PCAP_MODIFIED_BE: 0xa1b2cd34;
  readonly PCAP_MODIFIED_LE: 0x34cdb2a1;
  readonly PCAPNG_SHB: 0x0a0d0d0a;
  readonly PCAPNG_BYTE_ORDER: 0x1a2b3c4d;
} = {
  PCAP_MICRO_BE: 0xa1b2c3d4,
  PCAP_MICRO_LE: 0xd4c3b2a1,
  PCAP_NANO_BE: 0xa1b23c4d,
  PCAP_NANO_LE: 0x4d3cb2a1,
  PCAP_MODIFIED_BE: 0xa1b2cd34,
  PCAP_MODIFIED_LE: 0x34cdb2a1,
  PCAPNG_SHB: 0x0a0d0d0a,
  PCAPNG_BYTE_ORDER: 0x1a2b3c4d,
};

/** pcapng block types. */
export const BlockType: {
  readonly SECTION_HEADER: 0x0a0d0d0a;
  readonly INTERFACE_DESCRIPTION: 1;
  readonly OBSOLETE_PACKET: 2;
  readonly SIMPLE_PACKET: 3;
  readonly ENHANCED_PACKET: 6;
} = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 1,
  OBSOLETE_PACKET: 2,
  SIMPLE_PACKET: 3,
  ENHANCED_PACKET: 6,
};

/**
 * The libpcap reference loop: pcap_next_ex over a file, extracting the same 5-tuple the decoder
 * does (Ethernet, VLAN tags, IPv4 with options, IPv6 with extension headers, TCP/UDP/SCTP ports,
 * non-first fragments without ports), folded into a checksum so nothing is optimised away.
 * Prints {"packets", "seconds" (wall), "cpuSeconds" (process CPU time), "sum"}.
 */
export const LIBPCAP_SOURCE = String.raw`
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  char err[PCAP_ERRBUF_SIZE];
  double start = now(), cpuStart = cpu();
  pcap_t *p = pcap_open_offline(argv[1], err);
  if (!p) { fprintf(stderr, "%s\n", err); return 1; }
  struct pcap_pkthdr *h;
  const u_char *d;
  uint64_t packets = 0, sum = 0;
  while (pcap_next_ex(p, &h, &d) == 1) {
    packets++;
    uint32_t len = h->caplen, o = 14;
    if (len < 14) continue;
    uint16_t type = (d[12] << 8) | d[13];
    while ((type == 0x8100 || type == 0x88a8) && o + 4 <= len) { type = (d[o + 2] << 8) | d[o + 3]; o += 4; }
    uint32_t src = 0, dst = 0, proto = 0, sport = 0, dport = 0, l4 = 0, end = len;
    int ports = 0;
    if (type == 0x0800 && o + 20 <= len) {
      uint32_t ihl = (d[o] & 15) * 4;
      src = (d[o + 12] << 24) | (d[o + 13] << 16) | (d[o + 14] << 8) | d[o + 15];
      dst = (d[o + 16] << 24) | (d[o + 17] << 16) | (d[o + 18] << 8) | d[o + 19];
      proto = d[o + 9];
      ports = (((d[o + 6] << 8) | d[o + 7]) & 0x1fff) == 0;
      l4 = o + ihl;
    } else if (type == 0x86dd && o + 40 <= len) {
      for (int i = 0; i < 16; i += 4) {
        src ^= (d[o + 8 + i] << 24) | (d[o + 9 + i] << 16) | (d[o + 10 + i] << 8) | d[o + 11 + i];
        dst ^= (d[o + 24 + i] << 24) | (d[o + 25 + i] << 16) | (d[o + 26 + i] << 8) | d[o + 27 + i];
      }
      proto = d[o + 6];
      l4 = o + 40;
      ports = 1;
      for (int n = 0; n < 16 && l4 + 8 <= end; n++) {
        if (proto == 0 || proto == 43 || proto == 60) { proto = d[l4]; l4 += (d[l4 + 1] + 1) * 8; }
        else if (proto == 44) { ports = (((d[l4 + 2] << 8) | d[l4 + 3]) & 0xfff8) == 0; proto = d[l4]; l4 += 8; }
        else break;
      }
    } else continue;
    if (ports && (proto == 6 || proto == 17 || proto == 132) && l4 + 4 <= end) {
      sport = (d[l4] << 8) | d[l4 + 1];
      dport = (d[l4 + 2] << 8) | d[l4 + 3];
    }
    sum += src ^ dst ^ proto ^ sport ^ dport;
  }
  double seconds = now() - start, cpuSeconds = cpu() - cpuStart;
  pcap_close(p);
  printf("{\"packets\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"sum\":%llu}\n", (unsigned long long)packets, seconds, cpuSeconds, (unsigned long long)sum);
  return 0;
}
`;

/**
 * The C baseline: table-driven Toeplitz with one 256-entry table per input byte position, the
 * same algorithm as `createToeplitz`, over the same kind of input (2^20 random tuples, looped).
 */
export const TOEPLITZ_C: string = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const uint8_t KEY[40] = {
  0x6d,0x5a,0x56,0xda,0x25,0x5b,0x0e,0xc2,0x41,0x67,0x25,0x3d,0x43,0xa3,0x8f,0xb0,0xd0,0xca,0x2b,0xcb,
  0xae,0x7b,0x30,0xb4,0x77,0xcb,0x2d,0xa3,0x80,0x30,0xf2,0x0c,0x6a,0x42,0xb7,0x3b,0xbe,0xac,0x01,0xfa};
static uint32_t T[36][256];
#define N (1u << 20)
static uint32_t S[N], D[N], P[N];
static uint8_t S6[N / 16][16], D6[N / 16][16];

static uint32_t window_at(int bit) {
  int byte = bit >> 3, shift = bit & 7;
  uint64_t w = 0;
  for (int i = 0; i < 5; i++) w = (w << 8) | (byte + i < 40 ? KEY[byte + i] : 0);
  return (uint32_t)(w >> (8 - shift));
}
static inline uint32_t v4(uint32_t s, uint32_t d, uint32_t sp, uint32_t dp) {
  return T[0][s >> 24] ^ T[1][(s >> 16) & 255] ^ T[2][(s >> 8) & 255] ^ T[3][s & 255] ^
         T[4][d >> 24] ^ T[5][(d >> 16) & 255] ^ T[6][(d >> 8) & 255] ^ T[7][d & 255] ^
         T[8][sp >> 8] ^ T[9][sp & 255] ^ T[10][dp >> 8] ^ T[11][dp & 255];
}
static inline uint32_t v6(const uint8_t *s, const uint8_t *d, uint32_t sp, uint32_t dp) {
  uint32_t h = 0;
  for (int i = 0; i < 16; i++) h ^= T[i][s[i]] ^ T[16 + i][d[i]];
  return h ^ T[32][sp >> 8] ^ T[33][sp & 255] ^ T[34][dp >> 8] ^ T[35][dp & 255];
}
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
int main(void) {
  for (int p = 0; p < 36; p++)
    for (int v = 0; v < 256; v++) {
      uint32_t h = 0;
      for (int b = 0; b < 8; b++) if (v & (0x80 >> b)) h ^= window_at(p * 8 + b);
      T[p][v] = h;
    }
  uint32_t x = 2463534242u;
  for (uint32_t i = 0; i < N; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5; S[i] = x;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5; D[i] = x;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5; P[i] = x;
    ((uint8_t *)S6)[i] = (uint8_t)x; ((uint8_t *)D6)[i] = (uint8_t)(x >> 8);
  }
  /* The verification value proves the tables before timing them. */
  if (v4(0x420995bbu, 0xa18e6450u, 2794, 1766) != 0x51ccc178u) { fprintf(stderr, "bad table\n"); return 1; }
  volatile uint32_t sink = 0;
  double best4 = 0, best6 = 0;
  for (int rep = 0; rep < 5; rep++) {
    uint32_t acc = 0;
    double t0 = now();
    for (int r = 0; r < 32; r++)
      for (uint32_t i = 0; i < N; i++) acc ^= v4(S[i], D[i], P[i] >> 16, P[i] & 0xffff);
    double rate = 32.0 * N / (now() - t0);
    if (rate > best4) best4 = rate;
    t0 = now();
    for (int r = 0; r < 32; r++)
      for (uint32_t i = 0; i < N / 16; i++) acc ^= v6(S6[i], D6[i], P[i] >> 16, P[i] & 0xffff);
    rate = 32.0 * (N / 16) / (now() - t0);
    if (rate > best6) best6 = rate;
    sink ^= acc;
  }
  printf("{\"v4PerSec\": %.0f, \"v6PerSec\": %.0f, \"sink\": %u}\n", best4, best6, (unsigned)sink);
  return 0;
}
`;

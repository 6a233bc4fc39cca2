/**
 * The C baselines for building a Maglev table: `paper` is listing 1 of Eisenbud et al. as written
 * (permutation = (offset + skip × next) mod M, recomputed per probe, 32-bit arithmetic); `stride`
 * keeps each backend's position and adds its skip instead (what the TypeScript build does).
 * Offsets and skips come from a 32-bit mix of the backend number. Prints the best of `reps` builds.
 */
export const MAGLEV_C: string = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
static uint32_t fmix(uint32_t h) {
  h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16; return h;
}
static double now_ms(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
int main(int argc, char **argv) {
  int n = atoi(argv[1]); uint32_t m = (uint32_t)atoi(argv[2]); int reps = atoi(argv[3]);
  uint32_t *offset = malloc(4 * n), *skip = malloc(4 * n), *next = malloc(4 * n);
  int32_t *entry = malloc(4 * m);
  for (int i = 0; i < n; i++) { offset[i] = fmix(2 * i + 1) % m; skip[i] = fmix(2 * i + 2) % (m - 1) + 1; }
  double paper = 1e9, stride = 1e9; long sink = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = now_ms();
    memset(next, 0, 4 * n); memset(entry, 0xff, 4 * m);
    uint32_t filled = 0;
    for (;;) {
      for (int i = 0; i < n; i++) {
        uint32_t c = (offset[i] + skip[i] * next[i]) % m;
        while (entry[c] >= 0) { next[i]++; c = (offset[i] + skip[i] * next[i]) % m; }
        entry[c] = i; next[i]++;
        if (++filled == m) goto paper_done;
      }
    }
  paper_done:;
    double t1 = now_ms(); if (t1 - t0 < paper) paper = t1 - t0; sink += entry[r % m];
    t0 = now_ms();
    memcpy(next, offset, 4 * n); memset(entry, 0xff, 4 * m);
    filled = 0;
    for (;;) {
      for (int i = 0; i < n; i++) {
        uint32_t c = next[i], s = skip[i];
        while (entry[c] >= 0) { c += s; if (c >= m) c -= m; }
        entry[c] = i; c += s; next[i] = c >= m ? c - m : c;
        if (++filled == m) goto stride_done;
      }
    }
  stride_done:;
    t1 = now_ms(); if (t1 - t0 < stride) stride = t1 - t0; sink += entry[r % m];
  }
  printf("{\"paperMs\":%.4f,\"strideMs\":%.4f,\"sink\":%ld}\n", paper, stride, sink);
  return 0;
}
`;

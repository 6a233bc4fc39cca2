/**
 * The C baseline: the same workload (1 M IPv4 5-tuple keys, random lookups, half in the
 * reverse direction, symmetric canonical order) on an in-place open-addressing table of 16-byte
 * keys with linear probing at the same 0.75 load, compiled with cc -O3; uniform and Zipf (s = 1)
 * query orders built the same way as the TypeScript bench. Each order is timed twice: one key at
 * a time, and in batches of 32 in the manner of `rte_hash_lookup_bulk` (hash every key of the
 * batch and prefetch its slot, then probe and compare), the counterpart of `findMany`; each in
 * wall time and in CPU time (`cpu`: uniform single, zipf single, uniform bulk, zipf bulk).
 */
export const C_LOOKUP_SOURCE = `
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef struct { uint32_t s, d, p, m; } key_t2;
static uint32_t rs = 0x9e3779b9u;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 17; rs ^= rs << 5; return rs; }
static uint32_t h4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  uint32_t h = (a) * 0x9e3779b1u;
  h = (h ^ (h >> 15) ^ b) * 0x85ebca77u; h = (h ^ (h >> 13) ^ c) * 0xc2b2ae3du;
  h = (h ^ (h >> 16) ^ d) * 0x27d4eb2fu; h ^= h >> 15; h *= 0x2c1b3c6du; h ^= h >> 12; return h;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  const uint32_t n = 1000000, slots = 1333334, q = 1u << 22;
  key_t2 *tab = calloc(slots, sizeof(key_t2)); uint32_t *val = calloc(slots, 4);
  uint32_t *src = malloc(n * 4), *dst = malloc(n * 4), *prt = malloc(n * 4);
  for (uint32_t i = 0; i < n; i++) { src[i] = rnd(); dst[i] = rnd(); prt[i] = rnd(); }
  for (uint32_t i = 0; i < n; i++) {
    uint32_t s = src[i], d = dst[i], p = prt[i];
    if (s > d) { uint32_t t = s; s = d; d = t; p = (p << 16) | (p >> 16); }
    uint32_t h = h4(s, d, p, 6 | 256), j = (uint32_t)(((uint64_t)h * slots) >> 32);
    while (tab[j].m) { if (++j == slots) j = 0; }
    tab[j].s = s; tab[j].d = d; tab[j].p = p; tab[j].m = 6 | 256; val[j] = i;
  }
  double *cdf = malloc(n * sizeof(double)); double hsum = 0;
  for (uint32_t r = 0; r < n; r++) { hsum += 1.0 / (r + 1); cdf[r] = hsum; }
  uint32_t *qs = malloc(q * 4), *qd = malloc(q * 4), *qp = malloc(q * 4);
  double rate[2], bulk[2], rateCpu[2], bulkCpu[2]; uint64_t sink = 0;
  for (int order = 0; order < 2; order++) {
    for (uint32_t i = 0; i < q; i++) { uint32_t k;
      if (order == 0) k = rnd() % n;
      else { double u = (rnd() / 4294967296.0) * hsum; uint32_t lo = 0, hi = n - 1;
        while (lo < hi) { uint32_t mid = (lo + hi) >> 1; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
        k = (uint32_t)(((uint64_t)lo * 2654435761u) % n); }
      if (i & 1) { qs[i] = dst[k]; qd[i] = src[k]; qp[i] = (prt[k] << 16) | (prt[k] >> 16); }
      else { qs[i] = src[k]; qd[i] = dst[k]; qp[i] = prt[k]; } }
    uint64_t sum = 0; double t0 = now(), c0 = cpu();
    for (uint32_t i = 0; i < q; i++) {
      uint32_t s = qs[i], d = qd[i], p = qp[i];
      if (s > d) { uint32_t t = s; s = d; d = t; p = (p << 16) | (p >> 16); }
      uint32_t h = h4(s, d, p, 6 | 256), j = (uint32_t)(((uint64_t)h * slots) >> 32);
      for (;;) { if (!tab[j].m) break; if (tab[j].s == s && tab[j].d == d && tab[j].p == p) { sum += val[j]; break; } if (++j == slots) j = 0; }
    }
    rate[order] = q / (now() - t0); rateCpu[order] = q / (cpu() - c0);
    sink += sum;
    sum = 0; t0 = now(); c0 = cpu();
    for (uint32_t b = 0; b < q; b += 32) {
      uint32_t ks[32], kd[32], kp[32], at[32];
      for (uint32_t k = 0; k < 32; k++) {
        uint32_t s = qs[b + k], d = qd[b + k], p = qp[b + k];
        if (s > d) { uint32_t t = s; s = d; d = t; p = (p << 16) | (p >> 16); }
        ks[k] = s; kd[k] = d; kp[k] = p;
        at[k] = (uint32_t)(((uint64_t)h4(s, d, p, 6 | 256) * slots) >> 32);
        __builtin_prefetch(&tab[at[k]]);
      }
      for (uint32_t k = 0; k < 32; k++) {
        uint32_t j = at[k];
        for (;;) { if (!tab[j].m) break; if (tab[j].s == ks[k] && tab[j].d == kd[k] && tab[j].p == kp[k]) { sum += val[j]; break; } if (++j == slots) j = 0; }
      }
    }
    bulk[order] = q / (now() - t0); bulkCpu[order] = q / (cpu() - c0);
    sink += sum;
  }
  printf("{\\"uniformPerSec\\": %.0f, \\"zipfPerSec\\": %.0f, \\"uniformBulkPerSec\\": %.0f, \\"zipfBulkPerSec\\": %.0f, \\"cpu\\": [%.0f, %.0f, %.0f, %.0f], \\"sink\\": %llu}\\n", rate[0], rate[1], bulk[0], bulk[1], rateCpu[0], rateCpu[1], bulkCpu[0], bulkCpu[1], (unsigned long long)sink);
  return 0;
}
`;

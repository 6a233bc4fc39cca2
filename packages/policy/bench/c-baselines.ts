/**
 * C baselines, compiled with `cc -O3` at bench time. Both read the same data the JS matcher
 * uses: per family (4, then 6) the field count, the rules as boxes (`rule, start, length,
 * ivals`), the HyperSplit tree (`root, nodes, code`); then the packets as 14 ints each (family,
 * then the field values). Every array is preceded by its length. `linear` scans the boxes in
 * order (first match); `tree` runs the same tree lookup as `lookupPair` (an interval test is one
 * unsigned compare, as there); `batch` walks 8 packets in lockstep (each round moves every
 * unfinished one one node down), then scans their leaves, as DPDK's bulk lookups do. They print wall and
 * CPU-time rates. Packets are taken in order, cycling, as the JavaScript loop takes them: drawing
 * them at random from the 3.6 MiB array adds a cache miss per lookup that the JavaScript side
 * does not pay.
 */
export const C_MATCHERS = `
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
typedef struct { int32_t fields, root, nboxes; int32_t *rule, *start, *len, *ivals, *nodes, *code; } fam;
static FILE *f;
static int32_t *arr(int32_t *n) {
  int32_t k; if (fread(&k, 4, 1, f) != 1) exit(2);
  int32_t *a = malloc(4 * (size_t)k + 4); if (k && fread(a, 4, k, f) != (size_t)k) exit(2);
  if (n) *n = k; return a;
}
static void load(fam *x) {
  int32_t *h = arr(0); x->fields = h[0];
  x->rule = arr(&x->nboxes); x->start = arr(0); x->len = arr(0); x->ivals = arr(0);
  h = arr(0); x->root = h[0]; x->nodes = arr(0); x->code = arr(0);
}
static int linear(const fam *x, const int32_t *v) {
  for (int b = 0; b < x->nboxes; b++) {
    int ok = 1;
    for (int fi = 0; fi < x->fields && ok; fi++) {
      int s = x->start[b * x->fields + fi], e = s + x->len[b * x->fields + fi], y = v[fi]; ok = 0;
      for (int i = s; i < e; i++) if (y >= x->ivals[2 * i] && y <= x->ivals[2 * i + 1]) { ok = 1; break; }
    }
    if (ok) return x->rule[b];
  }
  return -1;
}
static int32_t step(const int32_t *nodes, int32_t n, const int32_t *v) {
  const int32_t *o = nodes + 16 * n; int32_t y = v[o[0]]; int i = 8; for (int k = 1; k < 8; k++) i += y > o[k]; return o[i];
}
static int leaf(const int32_t *code, int32_t p, const int32_t *v) {
  int32_t count = code[p++];
  for (int k = 0; k < count; k++) {
    int32_t end = code[p + 1], q = p + 2, ok = 1;
    while (q < end) {
      int32_t h = code[q], y = v[h & 255], stop = q + 1 + 2 * (h >> 8), i = q + 1;
      while (i < stop && (uint32_t)y - (uint32_t)code[i] > (uint32_t)code[i + 1] - (uint32_t)code[i]) i += 2;
      if (i == stop) { ok = 0; break; }
      q = stop;
    }
    if (ok) return code[p];
    p = end;
  }
  return -1;
}
static int tree(const fam *x, const int32_t *v) {
  int32_t n = x->root;
  while (n >= 0) n = step(x->nodes, n, v);
  return leaf(x->code, ~n, v);
}
/* Eight packets from q (14 ints each) in lockstep; returns the sum of their rules. */
static long long batch8(const fam *x4, const fam *x6, const int32_t *q) {
  const fam *xs[8]; int32_t n[8]; long long acc = 0; int live = 1;
  for (int l = 0; l < 8; l++) { xs[l] = q[14 * l] == 4 ? x4 : x6; n[l] = xs[l]->root; }
  while (live) {
    live = 0;
    for (int l = 0; l < 8; l++) if (n[l] >= 0) { n[l] = step(xs[l]->nodes, n[l], q + 14 * l + 1); live |= n[l] >= 0; }
  }
  for (int l = 0; l < 8; l++) acc += leaf(xs[l]->code, ~n[l], q + 14 * l + 1);
  return acc;
}
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  f = fopen(argv[1], "rb"); if (!f) return 1;
  int use_tree = strcmp(argv[2], "tree") == 0, use_batch = strcmp(argv[2], "batch") == 0;
  fam x4, x6; load(&x4); load(&x6);
  int32_t np; int32_t *pts = arr(&np); np /= 14;
  long long iters = 0, acc = 0; double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), w;
  do {
    if (use_batch) {
      for (int j = 0; j < 128; j++, iters += 8) acc += batch8(&x4, &x6, pts + 14 * (int32_t)(iters % np));
      w = now(CLOCK_MONOTONIC) - w0;
      continue;
    }
    for (int j = 0; j < 1024; j++, iters++) {
      const int32_t *q = pts + 14 * (int32_t)(iters % np);
      const fam *x = q[0] == 4 ? &x4 : &x6;
      acc += use_tree ? tree(x, q + 1) : linear(x, q + 1);
    }
    w = now(CLOCK_MONOTONIC) - w0;
  } while (w < 0.5);
  double c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
  printf("{\\"opsPerSec\\": %f, \\"cpuOpsPerSec\\": %f, \\"sink\\": %lld}\\n", iters / w, iters / c, acc);
  return 0;
}
`;

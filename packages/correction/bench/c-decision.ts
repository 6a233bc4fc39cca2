import { spawn } from 'node:child_process';
import { compileC, haveCompiler, runJson } from '@maestro/bench-tools';

/**
 * The C baseline of the bench's decisions: one member (of `members`) generates the bench's
 * connections and stream with the same xorshift32 as bench/workload.ts (the seed given, the same
 * order of calls), fills itself with the first `live` connections one SYN at a time (timed apart), then
 * decides the stream in batches of `batch` the way a C packet pipeline would: fill the batch's
 * packet structs from the stream (the four fields the JS bench writes), check each packet (the
 * engine's checks), put its key in symmetric canonical order, hash it and `__builtin_prefetch` its
 * home slot (with prefetch on); then, in arrival order, probe and decide each packet, so that a
 * creation is visible to the packets after it in the same batch with no second lookup.
 *
 * Per decision it does what `MemberEngine` does on this stream, laid out for C: the owned table is
 * in-place linear probing of 64-byte slots (one cache line: the canonical key, then the record:
 * owner, backup, ingress tag, TCP state, created and last-seen times, 64-bit packet and byte
 * counters), sized like the engine's table (room for `capacity` connections and as many
 * translated tuples at a load of 0.78 of the slots). A hit records the packet (counters, last
 * seen, the state through the 512-entry transition table of `@maestro/flowtable`'s `nextState`,
 * ported). A miss consults the corrections and expectations tables only when they hold entries
 * (the engine's test; the bench leaves both empty) and drops a TCP packet that is not a bare SYN.
 * A SYN creates the connection: the hide rule's match on the source, the port from the member's
 * slice at `portSeed(o) % count` (the engine's seed, ported), the next port of the slice while the
 * translated tuple is in the table (every port of the slice at most), the translated tuple inserted as an alias
 * slot pointing at the connection's slot, the reply's route and distribution (the bench's `route`
 * and `distribute`, ported: the target), the packet's own distribution (the landing member), the
 * backup (target, or the next member), the first record, and a `correct` message written to the
 * outbox for the target and for the landing member when either is another member (the engine's
 * two `send`s); the outbox is drained after each batch, as the bench drains the engine's after
 * each call. Decisions, targets, reasons and drop causes go to per-lane output arrays, and the
 * counters by decision, reason and drop cause, as the engine's stats count them.
 *
 * Fragments, ICMP errors and IPv6 keys do not occur in the stream: the C tests for them where
 * the engine does and counts them as `unsupported` (the bench fails if any is counted).
 *
 * Arguments: members self hideAddress hideNet hidePrefix hideFirst hideCount live stream batch
 * capacity prefetch(0|1) seed [barrier(0|1)]. With a barrier it writes `ready` to stderr after the
 * fill and starts the stream when a byte arrives on stdin. Prints one JSON object (see
 * {@link CDecisionResult}).
 */
export const C_DECISION_SOURCE: string = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FIN = 1, SYN = 2, RST = 4, ACK = 16 };
enum { PROCESS, FORWARD, CREATE, DROP };
enum { R_NONE, R_NAT, R_ASYMMETRIC, R_FRAGMENT, R_RELATED, R_ICMP };
enum { D_NONE, D_NO_CONNECTION, D_UNKNOWN_FRAGMENT, D_UNKNOWN_ICMP, D_NAT_EXHAUSTED };
enum { K_NONE, K_PORTS, K_ECHO, K_FRAGMENT };

#define USED (1u << 16)
#define ALIAS (1u << 17)
#define SWAPPED (1u << 18)
#define KEY_META 0x1ffffu

/* One slot, one cache line: the canonical key (meta = protocol | kind << 8 | flags), the record. */
typedef struct __attribute__((aligned(64))) {
  uint32_t s, d, ports, meta;
  uint32_t link; /* connection: alias slot + 1 (0: none); alias: the connection's slot */
  uint16_t owner, backup;
  uint8_t state, tag;
  uint16_t pad;
  uint32_t created, seen;
  uint64_t packets, bytes;
} slot_t;

typedef struct { uint32_t s, d, ports, meta; } ckey_t;
typedef struct { slot_t *slots; uint32_t count, size; } table_t;

/* A packet as a pipeline's parser leaves it. */
typedef struct {
  uint8_t family, protocol, kind, tcp_flags, ingress, hops, more_fragments, embedded;
  uint16_t sport, dport;
  uint32_t src, dst, bytes, ip_id;
} pkt_t;

/* A message for the sync layer. */
typedef struct {
  uint8_t kind, reason, protocol, port_kind;
  uint16_t from, to, owner, sport, dport;
  uint32_t src, dst;
} msg_t;

static table_t owned, corrections, expectations;
static uint32_t members, self, spare, hide_address, hide_net, hide_mask, hide_first, hide_count;
static uint8_t state_table[16 << 5];
static uint64_t decisions[4], reasons[6], hops_by_reason[6], drops[5], messages, unsupported, invalid;
static uint64_t connections, aliases;
static msg_t outbox[256];
static uint32_t outbox_n;
static int32_t last_target;
static uint8_t last_reason, last_drop;

static uint32_t rs = 0x2545f491u;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 17; rs ^= rs << 5; return rs; }
static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double epoch_ms(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec * 1e3 + t.tv_nsec * 1e-6; }
static double cpu_s(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/* The bench's mix, distribute (interface 0 user, 1 network) and route. */
static inline uint32_t mix(uint32_t h) {
  h ^= h >> 16; h *= 0x7feb352du; h ^= h >> 15; h *= 0x846ca68bu; h ^= h >> 16; return h;
}
static inline uint32_t distribute(uint32_t s, uint32_t d, uint32_t sp, uint32_t dp, uint32_t ingress) {
  return (ingress == 0 ? mix(d ^ mix(sp)) : mix(s ^ mix(dp))) % members;
}
static inline uint32_t route(uint32_t d) { return d >> 24 == 10 ? 0 : 1; }

/* The engine's hide-NAT port seed (nat-table.ts portSeed). */
static inline uint32_t port_seed(uint32_t s, uint32_t d, uint32_t sp, uint32_t dp, uint32_t protocol) {
  uint32_t h = (s ^ 0x9e3779b9u) * 0x85ebca6bu;
  h = (h ^ (h >> 13) ^ d) * 0xc2b2ae35u;
  h = (h ^ (h >> 16) ^ ((sp << 16) | dp)) * 0x27d4eb2fu;
  h ^= protocol; h ^= h >> 15; return h;
}

/* @maestro/flowtable's nextState, built into a table indexed as its stateIndex. */
static uint8_t next_state(int state, int flags, int reply) {
  if (state == 9) return reply ? 10 : 9;
  if (state > 8) return state;
  if (flags & RST) return 8;
  int syn_only = (flags & (SYN | ACK)) == SYN, fin = (flags & FIN) != 0;
  switch (state) {
    case 0: if (syn_only) return 1; return fin ? (reply ? 5 : 4) : 3;
    case 1: if (fin) return reply ? 5 : 4; return reply && (flags & (SYN | ACK)) == (SYN | ACK) ? 2 : 1;
    case 2: if (fin) return reply ? 5 : 4; return !reply && (flags & (SYN | ACK)) == ACK ? 3 : 2;
    case 3: if (!fin) return 3; return reply ? 5 : 4;
    case 4: return fin && reply ? 6 : 4;
    case 5: return fin && !reply ? 6 : 5;
    case 6: return !fin && (flags & ACK) ? 7 : 6;
    default: return syn_only && !reply ? 1 : state;
  }
}
static void build_state_table(void) {
  for (int state = 0; state < 16; state++)
    for (int reply = 0; reply < 2; reply++)
      for (int bits = 0; bits < 16; bits++) {
        int flags = (bits & 7) | ((bits & 8) << 1);
        state_table[(state << 5) | (reply << 4) | (flags & 7) | ((flags >> 1) & 8)] =
          state < 13 ? next_state(state, flags, reply) : state;
      }
}
static inline uint8_t initial_state(uint32_t protocol) {
  return protocol == 6 ? 0 : protocol == 17 ? 9 : protocol == 1 || protocol == 58 ? 11 : 12;
}

static inline uint32_t hash4(const ckey_t *k) {
  uint32_t h = k->s * 0x9e3779b1u;
  h = (h ^ (h >> 15) ^ k->d) * 0x85ebca77u; h = (h ^ (h >> 13) ^ k->ports) * 0xc2b2ae3du;
  h = (h ^ (h >> 16) ^ k->meta) * 0x27d4eb2fu; h ^= h >> 15; h *= 0x2c1b3c6du; h ^= h >> 12; return h;
}
static inline uint32_t home(const table_t *t, uint32_t h) { return (uint32_t)(((uint64_t)h * t->count) >> 32); }

/* The key in symmetric canonical order; returns whether it was swapped. */
static inline int canon(uint32_t s, uint32_t d, uint32_t sp, uint32_t dp, uint32_t meta, ckey_t *k) {
  int swap = s > d || (s == d && sp > dp);
  if (swap) { k->s = d; k->d = s; k->ports = (dp << 16) | sp; }
  else { k->s = s; k->d = d; k->ports = (sp << 16) | dp; }
  k->meta = meta;
  return swap;
}

/* The slot holding k (>= 0), or -(first free slot) - 1. */
static inline int64_t probe(const table_t *t, const ckey_t *k, uint32_t j) {
  const slot_t *slots = t->slots;
  for (;;) {
    const slot_t *e = &slots[j];
    if (!(e->meta & USED)) return -(int64_t)j - 1;
    if (e->s == k->s && e->d == k->d && e->ports == k->ports && (e->meta & KEY_META) == (k->meta | USED)) return j;
    if (++j == t->count) j = 0;
  }
}

static inline void record(slot_t *e, uint32_t now, uint32_t bytes, uint32_t flags, int reply) {
  e->packets++;
  e->bytes += bytes;
  if (now > e->seen) e->seen = now;
  e->state = state_table[(e->state << 5) | (reply << 4) | (flags & 7) | ((flags >> 1) & 8)];
}

static inline int done(int decision, int reason) {
  last_reason = reason; decisions[decision]++; reasons[reason]++; return decision;
}
static inline int drop(int cause) { last_drop = cause; drops[cause]++; return done(DROP, R_NONE); }
static inline int forward(uint32_t owner, int reason) {
  last_target = owner; hops_by_reason[reason]++; return done(FORWARD, reason);
}

static inline void send(uint32_t to, uint32_t s, uint32_t d, uint32_t sp, uint32_t dp, const pkt_t *p, int reason) {
  msg_t *m = &outbox[outbox_n++];
  m->kind = 0; m->reason = reason; m->protocol = p->protocol; m->port_kind = p->kind;
  m->from = self; m->to = to; m->owner = self; m->sport = sp; m->dport = dp; m->src = s; m->dst = d;
  messages++;
}

/* A connection created for p (whose key ck, swapped or not, is not in the table; free: its free slot). */
static int create(const pkt_t *p, const ckey_t *ck, int swapped, uint32_t free_slot, uint32_t now) {
  uint32_t ts = p->src, td = p->dst, tsp = p->sport, tdp = p->dport;
  int natted = 0, alias_swapped = 0;
  uint32_t alias_slot = 0;
  ckey_t ak;
  if ((p->src & hide_mask) == hide_net) {
    /* The hide rule: the source becomes the hide address, the port one of this member's slice. */
    int ported = p->kind == K_PORTS || p->kind == K_ECHO;
    uint32_t count = ported ? hide_count : 1, last = hide_first + hide_count - 1;
    uint32_t port = hide_first + port_seed(p->src, p->dst, p->sport, p->dport, p->protocol) % hide_count;
    uint32_t tries = count;
    ts = hide_address;
    for (; tries > 0; tries--) {
      if (ported) { tsp = port; if (p->kind == K_ECHO) tdp = port; }
      if (ts == p->src && tsp == p->sport) break; /* the tuple itself: no alias */
      alias_swapped = canon(ts, td, tsp, tdp, ck->meta, &ak);
      if (ak.s != ck->s || ak.d != ck->d || ak.ports != ck->ports) {
        int64_t q = probe(&owned, &ak, home(&owned, hash4(&ak)));
        if (q < 0) { natted = 1; alias_slot = (uint32_t)(-q - 1); break; }
      }
      port = port == last ? port - hide_count + 1 : port + 1;
    }
    if (tries == 0) return drop(D_NAT_EXHAUSTED);
  }
  slot_t *slots = owned.slots;
  slot_t *e = &slots[free_slot];
  e->s = ck->s; e->d = ck->d; e->ports = ck->ports; e->meta = ck->meta | USED | (swapped ? SWAPPED : 0);
  e->link = 0;
  owned.size++;
  connections++;
  if (natted) {
    uint32_t a = alias_slot;
    while (slots[a].meta & USED) { if (++a == owned.count) a = 0; } /* it was the connection's slot */
    slot_t *x = &slots[a];
    x->s = ak.s; x->d = ak.d; x->ports = ak.ports; x->meta = ak.meta | USED | ALIAS | (alias_swapped ? SWAPPED : 0);
    x->link = free_slot;
    e->link = a + 1;
    owned.size++;
    aliases++;
  }
  /* The reply (the translated tuple reversed) enters where route sends the translated tuple. */
  uint32_t target = distribute(td, ts, tdp, tsp, route(td));
  uint32_t landing = distribute(p->src, p->dst, p->sport, p->dport, p->ingress);
  e->owner = self;
  e->backup = target != self ? target : spare;
  e->tag = p->ingress;
  e->created = now; e->seen = now; e->packets = 0; e->bytes = 0;
  e->state = initial_state(p->protocol);
  record(e, now, p->bytes, p->tcp_flags, 0);
  int reason = target == self ? R_NONE : natted ? R_NAT : R_ASYMMETRIC;
  if (target != self) send(target, td, ts, tdp, tsp, p, natted ? R_NAT : R_ASYMMETRIC);
  if (landing != self) send(landing, p->src, p->dst, p->sport, p->dport, p, R_RELATED);
  if (p->more_fragments) unsupported++;
  return done(CREATE, reason);
}

/* decide past the checks and the owned-table probe (r: the slot, or -(free slot) - 1). */
static inline int decide_found(const pkt_t *p, const ckey_t *ck, int swapped, int64_t r, uint32_t now) {
  last_target = -1; last_reason = R_NONE; last_drop = D_NONE;
  if (p->embedded || p->kind == K_FRAGMENT || p->family != 4) { unsupported++; return drop(D_NONE); }
  if (r >= 0) {
    slot_t *e = &owned.slots[r];
    int reply = swapped ^ ((e->meta >> 18) & 1);
    if (e->meta & ALIAS) e = &owned.slots[e->link];
    record(e, now, p->bytes, p->tcp_flags, reply);
    if (p->more_fragments) unsupported++;
    return done(PROCESS, R_NONE);
  }
  if (corrections.size) {
    int64_t c = probe(&corrections, ck, home(&corrections, hash4(ck)));
    if (c >= 0) { record(&corrections.slots[c], now, p->bytes, 0, 0); return forward(corrections.slots[c].owner, corrections.slots[c].tag); }
  }
  if (expectations.size) {
    int64_t x = probe(&expectations, ck, home(&expectations, hash4(ck)));
    if (x >= 0) { unsupported++; return forward(expectations.slots[x].owner, R_RELATED); }
  }
  if (p->hops > 0) return drop(D_NO_CONNECTION);
  if (p->protocol == 6 && (p->tcp_flags & (SYN | ACK | RST)) != SYN) return drop(D_NO_CONNECTION);
  return create(p, ck, swapped, (uint32_t)(-r - 1), now);
}

/* The engine's packet checks (checkPacket, checkLanes). */
static inline int possible(const pkt_t *p) {
  uint32_t protocol = p->protocol, kind = p->kind;
  if ((p->family != 4 && p->family != 6) || kind > 3 || p->ingress >= 2 || p->hops > 2 || p->more_fragments > 1) return 0;
  int ported = protocol == 6 || protocol == 17 || protocol == 132, icmp = protocol == 1 || protocol == 58;
  int fit = kind == K_PORTS ? ported : kind == K_ECHO ? icmp && p->sport == p->dport
    : (p->sport | p->dport) == 0 && (kind == K_FRAGMENT || !ported);
  return fit && (!p->embedded || (icmp && kind != K_ECHO));
}

static inline uint32_t meta_of(const pkt_t *p) { return p->protocol | ((uint32_t)p->kind << 8); }

static void table_init(table_t *t, uint32_t count) {
  t->count = count; t->size = 0;
  t->slots = aligned_alloc(64, (size_t)count * sizeof(slot_t));
  memset(t->slots, 0, (size_t)count * sizeof(slot_t));
}

int main(int argc, char **argv) {
  if (argc != 14 && argc != 15) { fprintf(stderr, "usage: members self hideAddress hideNet hidePrefix hideFirst hideCount live stream batch capacity prefetch seed [barrier]\n"); return 2; }
  members = strtoul(argv[1], 0, 10); self = strtoul(argv[2], 0, 10); spare = (self + 1) % members;
  hide_address = strtoul(argv[3], 0, 10); hide_net = strtoul(argv[4], 0, 10);
  uint32_t prefix = strtoul(argv[5], 0, 10);
  hide_mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix); hide_net &= hide_mask;
  hide_first = strtoul(argv[6], 0, 10); hide_count = strtoul(argv[7], 0, 10);
  uint32_t live = strtoul(argv[8], 0, 10), stream = strtoul(argv[9], 0, 10), batch = strtoul(argv[10], 0, 10);
  uint32_t capacity = strtoul(argv[11], 0, 10);
  int prefetch = atoi(argv[12]);
  rs = strtoul(argv[13], 0, 10);
  int barrier = argc == 15 && atoi(argv[14]);
  if (batch < 1 || batch > 64) { fprintf(stderr, "batch must be 1..64\n"); return 2; }
  build_state_table();
  table_init(&owned, (uint32_t)(2.0 * capacity / 0.78) + 1);
  table_init(&corrections, 1024);
  table_init(&expectations, 1024);

  /* The bench's connections and stream, in the bench's order of rnd() calls. */
  uint32_t total = live + stream / 10 + 1;
  uint32_t *client = malloc(total * 4), *server = malloc(total * 4);
  uint16_t *cport = malloc(total * 2);
  for (uint32_t i = 0; i < total; i++) {
    client[i] = 0x0a000000u | (rnd() & 0xffffff);
    server[i] = 0xc6000000u | (rnd() & 0xffffff);
    cport[i] = 1024 + rnd() % 64000;
  }
  uint8_t *kinds = malloc(stream);
  uint32_t *ssrc = malloc(stream * 4), *sdst = malloc(stream * 4);
  uint16_t *sport = malloc(stream * 2);
  uint32_t next = live;
  for (uint32_t i = 0; i < stream; i++) {
    uint32_t r = rnd() % 10, kind = r < 7 ? 0 : r < 9 ? 1 : 2;
    uint32_t c = kind == 2 ? next++ : rnd() % live;
    kinds[i] = kind; ssrc[i] = client[c]; sdst[i] = server[c];
    sport[i] = kind == 1 ? cport[c] ^ 0x8000 : cport[c];
  }

  pkt_t lanes[64];
  memset(lanes, 0, sizeof lanes);
  for (uint32_t k = 0; k < 64; k++) {
    lanes[k].family = 4; lanes[k].protocol = 6; lanes[k].kind = K_PORTS; lanes[k].dport = 443;
    lanes[k].tcp_flags = SYN; lanes[k].bytes = 60;
  }
  uint8_t out_decision[64], out_reason[64], out_drop[64];
  int32_t out_target[64];
  uint64_t sink = 0;

  /* Fill: one SYN at a time at time 1, as the bench's filled() calls decide. */
  double w0 = now_s(), c0 = cpu_s();
  for (uint32_t i = 0; i < live; i++) {
    pkt_t *p = &lanes[0];
    p->src = client[i]; p->dst = server[i]; p->sport = cport[i]; p->tcp_flags = SYN;
    if (!possible(p)) { invalid++; continue; }
    ckey_t ck;
    int swapped = canon(p->src, p->dst, p->sport, p->dport, meta_of(p), &ck);
    int64_t r = probe(&owned, &ck, home(&owned, hash4(&ck)));
    sink += decide_found(p, &ck, swapped, r, 1);
    outbox_n = 0;
  }
  double fill_wall = now_s() - w0, fill_cpu = cpu_s() - c0;
  uint64_t fill_connections = connections;
  /* With a barrier, the stream starts when the caller writes a byte (instances start together). */
  if (barrier) { fputs("ready\n", stderr); fflush(stderr); if (getchar() == EOF) return 3; }

  /* The stream at time 2, batch by batch: fill, check, order, hash, prefetch; then probe and decide in order. */
  double epoch0 = epoch_ms();
  w0 = now_s(); c0 = cpu_s();
  for (uint32_t start = 0; start < stream; start += batch) {
    uint32_t n = stream - start < batch ? stream - start : batch;
    for (uint32_t k = 0; k < n; k++) {
      uint32_t i = start + k;
      lanes[k].src = ssrc[i]; lanes[k].dst = sdst[i]; lanes[k].sport = sport[i];
      lanes[k].tcp_flags = kinds[i] == 2 ? SYN : ACK;
    }
    ckey_t keys[64];
    uint32_t homes[64];
    uint8_t swapped[64];
    uint32_t valid = n;
    for (uint32_t k = 0; k < n; k++) {
      const pkt_t *p = &lanes[k];
      if (!possible(p)) { valid = k; invalid++; break; }
      swapped[k] = canon(p->src, p->dst, p->sport, p->dport, meta_of(p), &keys[k]);
      homes[k] = home(&owned, hash4(&keys[k]));
      if (prefetch) __builtin_prefetch(&owned.slots[homes[k]]);
    }
    for (uint32_t k = 0; k < valid; k++) {
      int64_t r = probe(&owned, &keys[k], homes[k]);
      out_decision[k] = decide_found(&lanes[k], &keys[k], swapped[k], r, 2);
      out_target[k] = last_target; out_reason[k] = last_reason; out_drop[k] = last_drop;
    }
    sink += out_decision[0] + out_target[n - 1] + out_reason[0] + out_drop[0] + outbox_n;
    outbox_n = 0; /* drained by the sync layer */
  }
  double wall = now_s() - w0, cpu = cpu_s() - c0, epoch1 = epoch_ms();

  /* What the owned table holds: for the bench to compare with the engines' tables. */
  uint64_t packets = 0, bytes = 0, states[13] = {0}, backups[64] = {0};
  for (uint32_t j = 0; j < owned.count; j++) {
    const slot_t *e = &owned.slots[j];
    if (!(e->meta & USED) || (e->meta & ALIAS)) continue;
    packets += e->packets; bytes += e->bytes;
    if (e->state < 13) states[e->state]++;
    if (e->backup < 64) backups[e->backup]++;
  }
  printf("{\"fillMs\": %.3f, \"fillCpuMs\": %.3f, \"streamMs\": %.3f, \"streamCpuMs\": %.3f, \"fillConnections\": %llu,",
    fill_wall * 1e3, fill_cpu * 1e3, wall * 1e3, cpu * 1e3, (unsigned long long)fill_connections);
  printf(" \"streamStartEpochMs\": %.3f, \"streamEndEpochMs\": %.3f,", epoch0, epoch1);
  printf(" \"process\": %llu, \"forward\": %llu, \"create\": %llu, \"drop\": %llu,",
    (unsigned long long)decisions[PROCESS], (unsigned long long)decisions[FORWARD],
    (unsigned long long)decisions[CREATE], (unsigned long long)decisions[DROP]);
  printf(" \"noConnection\": %llu, \"natExhausted\": %llu, \"nat\": %llu, \"asymmetric\": %llu, \"messages\": %llu,",
    (unsigned long long)drops[D_NO_CONNECTION], (unsigned long long)drops[D_NAT_EXHAUSTED],
    (unsigned long long)reasons[R_NAT], (unsigned long long)reasons[R_ASYMMETRIC], (unsigned long long)messages);
  printf(" \"connections\": %llu, \"aliases\": %llu, \"packets\": %llu, \"bytes\": %llu, \"states\": [",
    (unsigned long long)connections, (unsigned long long)aliases, (unsigned long long)packets, (unsigned long long)bytes);
  for (int s = 0; s < 13; s++) printf("%s%llu", s ? ", " : "", (unsigned long long)states[s]);
  printf("], \"backups\": [");
  for (uint32_t m = 0; m < members && m < 64; m++) printf("%s%llu", m ? ", " : "", (unsigned long long)backups[m]);
  printf("], \"unsupported\": %llu, \"invalid\": %llu, \"sink\": %llu}\n",
    (unsigned long long)unsupported, (unsigned long long)invalid, (unsigned long long)sink);
  return 0;
}
`;

/** What the C baseline prints: times in milliseconds, counts over the fill and the stream together. */
export interface CDecisionResult {
  readonly fillMs: number;
  readonly fillCpuMs: number;
  readonly streamMs: number;
  readonly streamCpuMs: number;
  /** When the stream started and ended, in milliseconds since the epoch (instances run side by side). */
  readonly streamStartEpochMs: number;
  readonly streamEndEpochMs: number;
  readonly fillConnections: number;
  readonly process: number;
  readonly forward: number;
  readonly create: number;
  readonly drop: number;
  readonly noConnection: number;
  readonly natExhausted: number;
  readonly nat: number;
  readonly asymmetric: number;
  readonly messages: number;
  readonly connections: number;
  readonly aliases: number;
  readonly packets: number;
  readonly bytes: number;
  /** Connections per TCP state (`ConnState` 0..12). */
  readonly states: readonly number[];
  /** Connections per backup member. */
  readonly backups: readonly number[];
  readonly unsupported: number;
  readonly invalid: number;
}

/** The constants the C baseline takes, as the JS bench computes them. */
export interface CDecisionParams {
  readonly members: number;
  readonly self: number;
  readonly hideAddress: number;
  readonly hideNet: number;
  readonly hidePrefix: number;
  readonly hideFirst: number;
  readonly hideCount: number;
  readonly live: number;
  readonly stream: number;
  readonly batch: number;
  readonly capacity: number;
  /** The xorshift32 seed of the connections and the stream (the bench's `DEFAULT_SEED`). */
  readonly seed: number;
}

/** Compiles the C baseline with `cc -O3`; null when there is no C compiler. */
export function compileCDecision(): string | null {
  return haveCompiler() ? compileC(C_DECISION_SOURCE, { name: 'correction-c' }) : null;
}

function cArguments(p: CDecisionParams, prefetch: boolean): number[] {
  return [
    p.members,
    p.self,
    p.hideAddress,
    p.hideNet,
    p.hidePrefix,
    p.hideFirst,
    p.hideCount,
    p.live,
    p.stream,
    p.batch,
    p.capacity,
    prefetch ? 1 : 0,
    p.seed >>> 0,
  ];
}

/** Runs the compiled C baseline once over the fill and the stream, with or without prefetch. */
export function runCDecision(bin: string, p: CDecisionParams, prefetch: boolean): CDecisionResult {
  return runJson<CDecisionResult>(bin, cArguments(p, prefetch));
}

/** A C baseline run that has filled its member and waits for {@link StartedC.go} to decide its stream. */
export interface StartedC {
  readonly go: () => void;
  readonly result: Promise<CDecisionResult>;
}

/**
 * Starts the C baseline (with prefetch) in a process of its own and resolves once it has filled
 * its member: several such instances then decide their streams side by side from one `go` each.
 */
export function startCDecision(bin: string, p: CDecisionParams): Promise<StartedC> {
  const child = spawn(bin, [...cArguments(p, true), 1].map(String), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const result = exited.then((code) => {
    if (code !== 0) throw new Error(`${bin} exited with ${code}: ${stderr}`);
    return JSON.parse(stdout) as CDecisionResult;
  });
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('ready\n')) resolve({ go: () => child.stdin.end('g'), result });
    });
    result.then(() => reject(new Error(`${bin} ended before its stream`)), reject);
  });
}

// A straightforward single-threaded BFF soup, written from the formulas in the style of
// the published reference (byte-by-byte decoding, a linear bracket scan, one SplitMix64 draw per
// byte for mutation). bench_soup.py builds it with g++ -O3 as the peer and checks that it ends in
// the same soup as neurosys' rng="cubff" mode.
//   usage: soup_reference N EPOCHS SEED  -> prints "epochs ops cpu_seconds fnv1a_of_soup"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>
#include <vector>

static uint64_t sm(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t evaluate(uint8_t* t, int steps) {
  int pc = 0, h0 = 0, h1 = 0;
  uint64_t ops = 0;
  for (int i = 0; i < steps; ++i) {
    h0 &= 127;
    h1 &= 127;
    switch (t[pc]) {
      case '<': --h0; break;
      case '>': ++h0; break;
      case '{': --h1; break;
      case '}': ++h1; break;
      case '+': ++t[h0]; break;
      case '-': --t[h0]; break;
      case '.': t[h1] = t[h0]; break;
      case ',': t[h0] = t[h1]; break;
      case '[':
        if (t[h0] == 0) {
          int depth = 1;
          for (++pc; pc < 128 && depth > 0; ++pc) depth += t[pc] == '[' ? 1 : t[pc] == ']' ? -1 : 0;
          --pc;
          if (depth != 0) return ops + 1;
        }
        break;
      case ']':
        if (t[h0] != 0) {
          int depth = 1;
          for (--pc; pc >= 0 && depth > 0; --pc) depth += t[pc] == ']' ? 1 : t[pc] == '[' ? -1 : 0;
          ++pc;
          if (depth != 0) return ops + 1;
        }
        break;
      default: ++pc; if (pc >= 128) return ops; continue;
    }
    ++ops;
    if (++pc >= 128) break;
  }
  return ops;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const uint64_t n = strtoull(argv[1], nullptr, 10), epochs = strtoull(argv[2], nullptr, 10),
                 user = strtoull(argv[3], nullptr, 10);
  auto seed = [&](uint64_t x) { return sm(sm(user) ^ sm(x)); };
  std::vector<uint8_t> soup(n * 64);
  const uint64_t s0 = seed(0);
  for (uint64_t k = 0; k < n * 64; ++k) soup[k] = sm(64 * n * s0 + k) % 256;
  std::vector<uint32_t> perm(n);
  for (uint64_t i = 0; i < n; ++i) perm[i] = uint32_t(i);
  uint64_t total = 0;
  const clock_t c0 = clock();
  for (uint64_t e = 0; e < epochs; ++e) {
    for (uint64_t i = 0; i < n; ++i) perm[i] = uint32_t(i);  // identity every epoch
    for (uint64_t i = n; i-- > 0;) std::swap(perm[i], perm[sm(seed(e * n + i)) % (i + 1)]);
    const uint64_t es = seed(e);
    for (uint64_t k = 0; k < n / 2; ++k) {
      uint8_t tape[128];
      uint8_t* a = &soup[uint64_t(perm[2 * k]) * 64];
      uint8_t* b = &soup[uint64_t(perm[2 * k + 1]) * 64];
      for (int i = 0; i < 64; ++i) { tape[i] = a[i]; tape[64 + i] = b[i]; }
      for (int i = 0; i < 128; ++i) {
        const uint64_t r = sm((n * es + k) * 128 + uint64_t(i));
        if (((r >> 8) & ((1ULL << 30) - 1)) < (1u << 18)) tape[i] = uint8_t(r & 255);
      }
      total += evaluate(tape, 8192);
      for (int i = 0; i < 64; ++i) { a[i] = tape[i]; b[i] = tape[64 + i]; }
    }
  }
  const double cpu = double(clock() - c0) / CLOCKS_PER_SEC;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t c : soup) h = (h ^ c) * 0x100000001b3ULL;
  printf("%llu %llu %.6f %016llx\n", (unsigned long long)epochs, (unsigned long long)total, cpu,
         (unsigned long long)h);
  return 0;
}

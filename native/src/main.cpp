// zkrs-prover: a native Groth16 prover for snarkjs keys (BN254).
//
//   zkrs-prover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>
//   zkrs-prover serve     requests on stdin, one JSON line per answer on stdout (zkeys kept loaded):
//                           "prove <wtns byte length> <zkey path>\n" followed by the .wtns bytes
//                           -> {"proof":{...},"publicSignals":[...]} or {"error":"..."}
//   zkrs-prover arith     field/curve operations on decimal operands, one per line (for tests)
#include <sys/stat.h>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include "groth16.hpp"

using namespace zkrs;

static std::string json_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += ch;
    } else if ((unsigned char)ch < 0x20) {
      o += ' ';
    } else {
      o += ch;
    }
  }
  return o;
}

static std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

static void write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

// Keeps each zkey loaded; reloads when the file's size or modification time changes.
class KeyCache {
 public:
  const ZKey& get(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot open " + path);
    auto it = keys_.find(path);
    if (it != keys_.end() && it->second.size == st.st_size && it->second.mtime == st.st_mtim.tv_sec &&
        it->second.mtimeNs == st.st_mtim.tv_nsec)
      return *it->second.key;
    Entry e{st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, std::make_unique<ZKey>(load_zkey(path))};
    keys_[path] = std::move(e);
    return *keys_[path].key;
  }

 private:
  struct Entry {
    off_t size;
    time_t mtime;
    long mtimeNs;
    std::unique_ptr<ZKey> key;
  };
  std::map<std::string, Entry> keys_;
};

static int serve() {
  KeyCache cache;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::string answer;
    std::istringstream ls(line);
    std::string cmd;
    ls >> cmd;
    if (cmd == "quit") break;
    if (cmd != "prove") {
      std::cout << "{\"error\":\"unknown request " << json_escape(cmd) << "\"}" << std::endl;
      continue;
    }
    size_t len = 0;
    ls >> len;
    std::string path;
    std::getline(ls >> std::ws, path);
    std::vector<uint8_t> wtns(len);
    if (len && !std::cin.read(reinterpret_cast<char*>(wtns.data()), (std::streamsize)len)) {
      std::cout << "{\"error\":\"witness bytes cut short\"}" << std::endl;
      break;
    }
    try {
      const ZKey& key = cache.get(path);
      Witness w = parse_wtns(wtns.data(), wtns.size());
      Proof p = prove(key, w);
      answer = "{\"proof\":" + proof_json(p) + ",\"publicSignals\":" + public_json(p) + "}";
    } catch (const std::bad_alloc&) {
      answer = "{\"error\":\"out of memory\"}";
    } catch (const std::exception& e) {
      answer = "{\"error\":\"" + json_escape(e.what()) + "\"}";
    }
    std::cout << answer << std::endl;
  }
  return 0;
}

static G1Affine g1_read(std::istream& in) {
  std::string x, y;
  in >> x >> y;
  return {Fq::from_dec(x), Fq::from_dec(y)};
}
static G2Affine g2_read(std::istream& in) {
  std::string a, b, c, d;
  in >> a >> b >> c >> d;
  return {{Fq::from_dec(a), Fq::from_dec(b)}, {Fq::from_dec(c), Fq::from_dec(d)}};
}
static std::string g1_str(const G1Affine& p) { return p.x.to_dec() + " " + p.y.to_dec(); }
static std::string g2_str(const G2Affine& p) {
  return p.x.c0.to_dec() + " " + p.x.c1.to_dec() + " " + p.y.c0.to_dec() + " " + p.y.c1.to_dec();
}

template <class F>
static std::string field_op(const std::string& op, std::istream& in) {
  std::string a, b;
  in >> a;
  F x = F::from_dec(a);
  if (op == "inv") return x.inv().to_dec();
  if (op == "neg") return (-x).to_dec();
  if (op == "sq") return x.sq().to_dec();
  in >> b;
  F y = F::from_dec(b);
  if (op == "add") return (x + y).to_dec();
  if (op == "sub") return (x - y).to_dec();
  if (op == "mul") return (x * y).to_dec();
  throw std::runtime_error("unknown field op " + op);
}

// One operation per line; answers one line each ("error: ..." on bad input).
//   fr|fq add|sub|mul a b, fr|fq inv|neg|sq a, fq2 mul|inv|sq a0 a1 [b0 b1],
//   g1 add|madd P Q, g1 dbl P, g1 mul P k, g2 add P Q, g2 dbl P, g2 mul P k,
//   g1 msm n P1 k1 ... , g2 msm n P1 k1 ..., fr root k
static int arith() {
  bn254_init();
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    std::string group, op, out;
    in >> group >> op;
    try {
      if (group == "fr" && op == "root") {
        int k;
        in >> k;
        out = root_of_unity(k).to_dec();
      } else if (group == "fr") {
        out = field_op<Fr>(op, in);
      } else if (group == "fq") {
        out = field_op<Fq>(op, in);
      } else if (group == "fq2") {
        std::string a0, a1, b0, b1;
        in >> a0 >> a1;
        Fq2 x{Fq::from_dec(a0), Fq::from_dec(a1)}, r;
        if (op == "inv") r = x.inv();
        else if (op == "sq") r = x.sq();
        else if (op == "mul") {
          in >> b0 >> b1;
          r = x * Fq2{Fq::from_dec(b0), Fq::from_dec(b1)};
        } else throw std::runtime_error("unknown fq2 op " + op);
        out = r.c0.to_dec() + " " + r.c1.to_dec();
      } else if (group == "g1" || group == "g2") {
        bool g1 = group == "g1";
        if (op == "msm") {
          size_t n;
          in >> n;
          std::vector<G1Affine> p1;
          std::vector<G2Affine> p2;
          std::vector<U256> ks;
          for (size_t i = 0; i < n; i++) {
            if (g1) p1.push_back(g1_read(in)); else p2.push_back(g2_read(in));
            std::string k;
            in >> k;
            ks.push_back(u256_from_dec(k));
          }
          auto* sc = reinterpret_cast<const uint8_t*>(ks.data());
          out = g1 ? g1_str(msm(p1.data(), sc, 32, n).to_affine()) : g2_str(msm(p2.data(), sc, 32, n).to_affine());
        } else if (g1) {
          G1 p = G1::from_affine(g1_read(in)), r;
          if (op == "add") r = p + G1::from_affine(g1_read(in));
          else if (op == "madd") { r = p; r.add_affine(g1_read(in)); }
          else if (op == "dbl") r = p.dbl();
          else if (op == "mul") { std::string k; in >> k; U256 kk = u256_from_dec(k); r = p.mul(kk.w); }
          else throw std::runtime_error("unknown g1 op " + op);
          out = g1_str(r.to_affine());
        } else {
          G2 p = G2::from_affine(g2_read(in)), r;
          if (op == "add") r = p + G2::from_affine(g2_read(in));
          else if (op == "madd") { r = p; r.add_affine(g2_read(in)); }
          else if (op == "dbl") r = p.dbl();
          else if (op == "mul") { std::string k; in >> k; U256 kk = u256_from_dec(k); r = p.mul(kk.w); }
          else throw std::runtime_error("unknown g2 op " + op);
          out = g2_str(r.to_affine());
        }
      } else {
        throw std::runtime_error("unknown group " + group);
      }
    } catch (const std::exception& e) {
      out = std::string("error: ") + e.what();
    }
    std::cout << out << std::endl;
  }
  return 0;
}

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "serve" && argc == 2) return serve();
    if (mode == "arith" && argc == 2) return arith();
    if (mode == "prove" && argc == 6) {
      ZKey key = load_zkey(argv[2]);
      std::vector<uint8_t> bytes = read_file(argv[3]);
      Proof p = prove(key, parse_wtns(bytes.data(), bytes.size()));
      write_file(argv[4], proof_json(p) + "\n");
      write_file(argv[5], public_json(p) + "\n");
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "zkrs-prover: " << e.what() << std::endl;
    return 1;
  }
  std::cerr << "usage: zkrs-prover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> | serve | arith" << std::endl;
  return 2;
}

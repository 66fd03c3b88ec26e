// Timing aid, not part of the prover: a synthetic .zkey of given dimensions (random points,
// random coefficients; proofs from it are meaningless) and a .wtns of values resampled from a
// real witness, to time the native prover at sizes whose keys are not built.
//   g++ -std=c++17 -O2 -march=native -pthread -o /tmp/synthetic_key native/tools/synthetic_key.cpp
//   /tmp/synthetic_key out.zkey out.wtns <nVars> <nPublic> <domainSize> <nCoefs> <real.wtns>
//   /usr/bin/time native/build/zkrs-prover prove out.zkey out.wtns /tmp/p.json /tmp/s.json
#include "../src/groth16.hpp"
#include <fstream>
#include <random>
using namespace zkrs;
static void w32(std::ofstream& o, uint32_t v){ o.write((char*)&v,4);} static void w64(std::ofstream& o, uint64_t v){ o.write((char*)&v,8);}
int main(int argc, char** argv){
  if (argc != 8) { fprintf(stderr, "usage: synthetic_key out.zkey out.wtns nVars nPublic domainSize nCoefs real.wtns\n"); return 2; }
  bn254_init();
  uint32_t nVars=atoi(argv[3]), nPub=atoi(argv[4]), dom=atoi(argv[5]), nCoefs=atoi(argv[6]);
  std::mt19937_64 rng(7);
  auto rnd_fr=[&](){ U256 v; do{ for(int j=0;j<4;j++) v.w[j]=rng(); v.w[3]&=0x3fffffffffffffffull;}while(u256_geq(v.w,Fr::P)); return v; };
  G1 g1=G1::from_affine({Fq::from_u64(1),Fq::from_u64(2)});
  G2Affine g2a{{Fq::from_dec("10857046999023057135944570762232829481370756359578518086990519993285655852781"),Fq::from_dec("11559732032986387107991004021392285783925812861821192530917403151452391805634")},{Fq::from_dec("8495653923123431417604973247489272438418190587263600148770280649306958101930"),Fq::from_dec("4082367875863433681332203403145435568316851327593401208105741076214120093531")}};
  G2 g2=G2::from_affine(g2a);
  U256 k=rnd_fr(); G1 q1=g1.mul(k.w); G2 q2=g2.mul(k.w);
  auto pts1=[&](size_t n){ std::vector<G1Affine> v(n); G1 p=q1; for(size_t i=0;i<n;i++){ v[i]=p.to_affine(); p=p+q1; if(i%7==0) p=p.dbl(); } return v; };
  auto pts2=[&](size_t n){ std::vector<G2Affine> v(n); G2 p=q2; for(size_t i=0;i<n;i++){ v[i]=p.to_affine(); p=p+q2; if(i%7==0) p=p.dbl(); } return v; };
  std::ofstream o(argv[1], std::ios::binary);
  o.write("zkey",4); w32(o,1); w32(o,8);
  w32(o,1); w64(o,4); w32(o,1);
  w32(o,2); w64(o,36+36+12+3*64+3*128); w32(o,32); o.write((char*)Fq::P,32); w32(o,32); o.write((char*)Fr::P,32); w32(o,nVars); w32(o,nPub); w32(o,dom);
  auto a1=pts1(3); auto b2=pts2(3); o.write((char*)&a1[0],64); o.write((char*)&a1[1],64); o.write((char*)&b2[0],128); o.write((char*)&b2[1],128); o.write((char*)&a1[2],64); o.write((char*)&b2[2],128);
  w32(o,4); w64(o,4+(uint64_t)nCoefs*44); w32(o,nCoefs);
  for(uint32_t i=0;i<nCoefs;i++){ uint32_t m=rng()%2, c=rng()%(dom-nPub-1), s=rng()%nVars; U256 v=rnd_fr(); w32(o,m); w32(o,c); w32(o,s); o.write((char*)v.w,32);} 
  auto wr1=[&](int t, size_t n){ auto v=pts1(n); w32(o,t); w64(o,n*64); o.write((char*)v.data(), n*64); };
  wr1(5,nVars); wr1(6,nVars);
  { auto v=pts2(nVars); w32(o,7); w64(o,(uint64_t)nVars*128); o.write((char*)v.data(),(uint64_t)nVars*128); }
  wr1(8,nVars-nPub-1); wr1(9,dom);
  o.close();
  // witness resampled from a real one
  std::ifstream in(argv[7], std::ios::binary); std::vector<uint8_t> real((std::istreambuf_iterator<char>(in)), {});
  Witness rw=parse_wtns(real.data(), real.size());
  std::ofstream w(argv[2], std::ios::binary); w.write("wtns",4); w32(w,2); w32(w,2);
  w32(w,1); w64(w,40); w32(w,32); w.write((char*)Fr::P,32); w32(w,nVars);
  w32(w,2); w64(w,(uint64_t)nVars*32);
  for(uint32_t i=0;i<nVars;i++){ U256 v = i==0 ? U256{{1,0,0,0}} : rw.values[rng()%rw.values.size()]; w.write((char*)v.w,32);} 
}

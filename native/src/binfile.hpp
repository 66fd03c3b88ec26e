// snarkjs' binary container (".zkey", ".wtns"): 4-byte magic, u32 version, u32 section count,
// then sections (u32 type, u64 size, data). Reads from a file or from a memory buffer.
#pragma once
#include <cstdio>
#include <map>
#include <string>
#include <vector>
#include "field.hpp"

namespace zkrs {

struct Section {
  uint64_t offset, size;
};

class BinSource {
 public:
  virtual ~BinSource() = default;
  virtual uint64_t size() const = 0;
  virtual void read(uint64_t offset, void* out, uint64_t len) const = 0;
};

class MemorySource : public BinSource {
 public:
  MemorySource(const uint8_t* data, uint64_t len) : data_(data), len_(len) {}
  uint64_t size() const override { return len_; }
  void read(uint64_t offset, void* out, uint64_t len) const override {
    if (offset > len_ || len > len_ - offset) throw std::runtime_error("truncated data");
    std::memcpy(out, data_ + offset, len);
  }

 private:
  const uint8_t* data_;
  uint64_t len_;
};

class FileSource : public BinSource {
 public:
  explicit FileSource(const std::string& path) : path_(path) {
    f_ = std::fopen(path.c_str(), "rb");
    if (!f_) throw std::runtime_error("cannot open " + path);
    std::fseek(f_, 0, SEEK_END);
    len_ = (uint64_t)std::ftell(f_);
  }
  ~FileSource() override {
    if (f_) std::fclose(f_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return len_; }
  void read(uint64_t offset, void* out, uint64_t len) const override {
    if (offset > len_ || len > len_ - offset) throw std::runtime_error(path_ + ": truncated file");
    if (std::fseek(f_, (long)offset, SEEK_SET) != 0 || std::fread(out, 1, len, f_) != len)
      throw std::runtime_error(path_ + ": read error");
  }

 private:
  std::string path_;
  FILE* f_ = nullptr;
  uint64_t len_ = 0;
};

class BinFile {
 public:
  BinFile(const BinSource& src, const char* magic, const std::string& what) : src_(src), what_(what) {
    char m[4];
    src.read(0, m, 4);
    if (std::memcmp(m, magic, 4) != 0) throw std::runtime_error(what + ": not a " + magic + " file");
    uint32_t nSections = u32(8);
    uint64_t pos = 12;
    for (uint32_t i = 0; i < nSections; i++) {
      uint32_t type = u32(pos);
      uint64_t size = u64at(pos + 4);
      pos += 12;
      if (pos > src.size() || size > src.size() - pos) throw std::runtime_error(what + ": section " + std::to_string(type) + " runs past the end");
      if (sections_.count(type)) throw std::runtime_error(what + ": section " + std::to_string(type) + " appears twice");
      sections_[type] = {pos, size};
      pos += size;
    }
  }

  const Section& section(uint32_t type) const {
    auto it = sections_.find(type);
    if (it == sections_.end()) throw std::runtime_error(what_ + ": missing section " + std::to_string(type));
    return it->second;
  }
  uint32_t u32(uint64_t at) const {
    uint32_t v;
    src_.read(at, &v, 4);
    return v;
  }
  uint64_t u64at(uint64_t at) const {
    uint64_t v;
    src_.read(at, &v, 8);
    return v;
  }
  void read(uint64_t at, void* out, uint64_t len) const { src_.read(at, out, len); }
  // Copies a whole section into a vector of fixed-size records, checking the count.
  template <class T>
  std::vector<T> records(uint32_t type, uint64_t count, const char* name) const {
    const Section& s = section(type);
    if (s.size != count * sizeof(T))
      throw std::runtime_error(what_ + ": section " + name + " has " + std::to_string(s.size) + " bytes, expected " + std::to_string(count * sizeof(T)));
    std::vector<T> out(count);
    if (count) src_.read(s.offset, out.data(), s.size);
    return out;
  }

 private:
  const BinSource& src_;
  std::string what_;
  std::map<uint32_t, Section> sections_;
};

}  // namespace zkrs

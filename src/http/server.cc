#include "http/server.h"

// g++ 12 misreads Asio's coroutine frame allocator (operator new/delete of
// awaitable_frame_base) as a mismatched pair; the frames are allocated and freed by the same
// class. Under the sanitizers it also misreads Beast's parser (basic_parser::put, inlined into
// Connection::Parse) as reading an uninitialised boost::optional. Before the includes, since
// the warnings point into Boost's headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded
#include <vector>

#include "http/json_io.h"
#include "http/log.h"
#include "http/message.h"

namespace lockbox::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using Milliseconds = std::chrono::milliseconds;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// Overwrites a string's bytes where the compiler cannot drop the write (OPENSSL_cleanse).
void Wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

constexpr size_t kReadChunkBytes = 4096;
constexpr size_t kKeptWireBytes = 64 * 1024;  // a connection's answer buffer kept for the next
constexpr auto kTlsCloseTimeout = std::chrono::seconds(2);
constexpr auto kAcceptRetryDelay = Milliseconds(100);  // after EMFILE and the like

// What the access log and the metrics know of a request, even one that was never parsed.
struct RequestSummary {
  std::string method = "-";
  std::string path;
  std::string query;
  std::string route;
  std::string user_agent;
  size_t body_bytes = 0;
};

// The answer to a request the parser refused: too large (a Content-Length over the body limit
// is refused with the header, before any of the body is read) or malformed. Transport errors
// (timeout, reset, end of stream) have nobody to answer: nullopt.
std::optional<Response> RefusalFor(const boost::system::error_code& ec,
                                   const config::Limits& limits) {
  if (ec == beast_http::error::header_limit) {
    return ErrorResponse(
        431, "header_too_large",
        "the request line and headers exceed " + std::to_string(limits.header_bytes) + " bytes");
  }
  if (ec == beast_http::error::body_limit) {
    return ErrorResponse(
        413, "body_too_large",
        "the request body exceeds " + std::to_string(limits.body_bytes) + " bytes");
  }
  const bool parser_error =
      ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category();
  if (parser_error && ec != beast_http::error::end_of_stream &&
      ec != beast_http::error::partial_message) {
    return ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

std::string Truncated(std::string_view s) { return std::string(s.substr(0, 512)); }

Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const ServerOptions& options) {
  struct stat st {};
  if (stat(options.tls_key_file.c_str(), &st) != 0) {
    return Status::NotFound("cannot read TLS key file " + options.tls_key_file +
                            ": check tls.key_file in the config");
  }
  if ((st.st_mode & S_IRWXO) != 0) {
    return Status::InvalidArgument("TLS key file " + options.tls_key_file +
                                   " may be read by other users: chmod 600 it");
  }
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  // TLS 1.0 and 1.1 are refused whatever the system's OpenSSL configuration allows.
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use |
                       SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return Status::InvalidArgument("cannot load TLS certificate " + options.tls_cert_file + ": " +
                                   ec.message() + "; it must be a PEM certificate chain");
  }
  context->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return Status::InvalidArgument("cannot use TLS key " + options.tls_key_file +
                                   ": it must be the PEM private key of " + options.tls_cert_file);
  }
  return context;
}

}  // namespace

class Connection;

class Server::Impl {
 public:
  Impl(const ServerOptions& options, const Router& router, Metrics& metrics,
       std::shared_ptr<spdlog::logger> logger, std::unique_ptr<asio::ssl::context> tls)
      : options_(options),
        router_(router),
        metrics_(metrics),
        logger_(std::move(logger)),
        tls_(std::move(tls)),
        loops_(MakeLoops(options_.threads)),
        acceptor_(main_loop()),
        deadline_(main_loop()),
        signals_(main_loop()) {
    for (size_t i = 1; i < loops_.size(); ++i)
      keep_running_.emplace_back(loops_[i]->get_executor());
  }

  ~Impl() {
    std::lock_guard lock(mutex_);
    destroying_ = true;
  }

  Status Listen() {
    try {
      const tcp::endpoint endpoint(asio::ip::make_address(options_.listen.host),
                                   options_.listen.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(asio::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      return Status::IoError("cannot listen on " + options_.listen.ToString() + ": " +
                             e.code().message() + "; choose another address or port");
    }
    return Status::Ok();
  }

  void Run(bool handle_signals);
  void Shutdown() {
    asio::post(main_loop(), [this] { BeginShutdown(); });
  }

  // Called by connections (from their own loops).
  const config::Limits& limits() const { return options_.limits; }
  bool stopping() const { return stopping_.load(); }
  asio::ssl::context& tls() { return *tls_; }
  spdlog::logger& logger() { return *logger_; }
  Metrics& metrics() { return metrics_; }
  // The router's answer on the I/O thread (Router::DispatchQuick), or on the handler pool.
  // A handler that throws is answered 500 and logged.
  std::optional<Response> HandleQuick(Request& request);
  Response Handle(Request& request);
  // The handler pool, where route handlers run (they may block on the store).
  asio::thread_pool& handlers() { return handlers_; }
  void Forget(uint64_t id);

  uint16_t port_ = 0;

 private:
  // `threads` loops (0: one per core), each run by a thread of its own.
  static std::vector<std::unique_ptr<asio::io_context>> MakeLoops(unsigned threads);
  // Runs the acceptor, the shutdown deadline and the signal set.
  asio::io_context& main_loop() { return *loops_[0]; }
  asio::awaitable<void> Accept();
  void BeginShutdown();

  // Declaration order matters: the loops are destroyed after the objects that live on them,
  // and their destruction (after a forced shutdown) destroys the coroutines of unfinished
  // connections, which then still reach the members above them.
  const ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::atomic<bool> stopping_ = false;
  bool destroying_ = false;
  std::mutex mutex_;  // guards connections_, next_id_ and destroying_
  std::map<uint64_t, std::weak_ptr<Connection>> connections_;
  uint64_t next_id_ = 1;

  // One event loop per I/O thread, run by that thread alone, as nginx runs a worker per core:
  // a connection lives on one loop from accept to close, so its handlers need no strand and
  // no lock, and a loop never wakes another thread to run them. Accepted connections are
  // dealt to the loops in turn.
  std::vector<std::unique_ptr<asio::io_context>> loops_;
  // Loops other than the main one would return from run() while they have no connection.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  size_t next_loop_ = 0;  // the loop of the next accepted connection (Accept only)
  tcp::acceptor acceptor_;
  asio::steady_timer deadline_;
  asio::signal_set signals_;
  // Destroyed (joined) before the loops: a handler finishing late posts its answer to one.
  asio::thread_pool handlers_{options_.handler_threads};
};

// One client connection: a coroutine on one loop serving requests one after another.
class Connection {
 public:
  Connection(Server::Impl& server, tcp::socket socket, uint64_t id)
      : server_(server), stream_(std::move(socket), server.tls()), id_(id) {
    boost::system::error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
    server_.metrics().ConnectionOpened();
  }
  ~Connection() {
    server_.metrics().ConnectionClosed();
    server_.Forget(id_);
  }

  // `self` is this connection: a coroutine's parameters live in its frame, so the connection
  // lives exactly as long as its coroutine.
  asio::awaitable<void> Run(std::shared_ptr<Connection> self);

  // On shutdown: a connection waiting for its next request is closed now; one in a request
  // finishes it and then closes. Runs on the connection's loop.
  void CloseIfIdle() {
    if (idle_) beast::get_lowest_layer(stream_).cancel();
  }
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  enum class ParseUntil { kHeader, kMessage };
  // Parses what `buffer` holds, reading more while the parser needs it, until the request's
  // header (or whole message) is in; `ec` is the parser's error, the read's, or end_of_stream
  // when the peer closed before sending anything.
  asio::awaitable<void> Parse(beast::flat_buffer& buffer, RequestParser& parser, ParseUntil until,
                              boost::system::error_code& ec);
  asio::awaitable<bool> ServeRequest(beast::flat_buffer& buffer);
  asio::awaitable<void> Answer(Response response, unsigned version, bool keep_alive,
                               const RequestSummary& summary,
                               std::chrono::steady_clock::time_point start,
                               boost::system::error_code& ec);

  Server::Impl& server_;
  TlsStream stream_;
  const uint64_t id_;
  std::string remote_;
  bool idle_ = false;
  std::string wire_;  // the answer being written, reused (with its capacity) by the next
};

asio::awaitable<void> Connection::Run([[maybe_unused]] std::shared_ptr<Connection> self) {
  const config::Limits& limits = server_.limits();
  boost::system::error_code ec;
  tcp().expires_after(Milliseconds(limits.handshake_timeout_ms));
  co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    LogJson(server_.logger(), spdlog::level::debug, "tls handshake failed",
            {{"conn", id_}, {"remote", remote_}, {"error", ec.message()}});
    co_return;
  }
  beast::flat_buffer buffer;
  bool keep_alive = true;
  while (keep_alive && !server_.stopping()) {
    // Waiting for the first byte of the next request is the idle phase; its header has its
    // own deadline from there on. (Pipelined bytes may already be buffered.)
    if (buffer.size() == 0) {
      idle_ = true;
      tcp().expires_after(Milliseconds(limits.idle_timeout_ms));
      const size_t n = co_await stream_.async_read_some(
          buffer.prepare(kReadChunkBytes), asio::redirect_error(asio::use_awaitable, ec));
      idle_ = false;
      if (ec) break;
      buffer.commit(n);
    }
    keep_alive = co_await ServeRequest(buffer);
  }
  if (ec == beast::error::timeout) co_return;  // the socket is closed already
  // A polite TLS close, under a short deadline so a peer that never answers cannot hold it.
  tcp().expires_after(kTlsCloseTimeout);
  co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Connection::Parse(beast::flat_buffer& buffer, RequestParser& parser,
                                        ParseUntil until, boost::system::error_code& ec) {
  // Past the header, the body is parsed as it arrives, not a piece per call.
  parser.eager(until == ParseUntil::kMessage);
  const auto done = [&] {
    return until == ParseUntil::kHeader ? parser.is_header_done() : parser.is_done();
  };
  while (!done()) {
    if (buffer.size() > 0) {
      const size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == beast_http::error::need_more) {
        ec = {};
      } else if (ec) {
        co_return;  // malformed, or over a limit
      }
      if (used > 0) continue;
    }
    const size_t n = co_await stream_.async_read_some(
        buffer.prepare(kReadChunkBytes), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof) {
      // The peer closed: between requests that is the end; within one, a truncated request.
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = beast_http::error::end_of_stream;
      }
    }
    if (ec) co_return;
    buffer.commit(n);
  }
}

asio::awaitable<bool> Connection::ServeRequest(beast::flat_buffer& buffer) {
  const config::Limits& limits = server_.limits();
  boost::system::error_code ec;
  RequestParser parser;
  ApplyLimits(limits, parser);
  RequestSummary summary;

  tcp().expires_after(Milliseconds(limits.header_timeout_ms));
  co_await Parse(buffer, parser, ParseUntil::kHeader, ec);
  const auto start = std::chrono::steady_clock::now();
  if (auto answer = RefusalFor(ec, limits)) {
    co_await Answer(std::move(*answer), 11, false, summary, start, ec);
    co_return false;
  }
  if (ec) co_return false;  // timeout, reset or end of stream: nobody to answer

  const BeastRequest& header = parser.get();
  summary.method = Truncated(ToStd(header.method_string()));
  const std::string_view target = ToStd(header.target());
  summary.path = Truncated(target.substr(0, target.find('?')));
  if (target.find('?') != std::string_view::npos) {
    summary.query = Truncated(RedactQuery(target.substr(target.find('?') + 1)));
  }
  summary.user_agent = Truncated(ToStd(header[beast_http::field::user_agent]));
  const unsigned version = header.version();

  tcp().expires_after(Milliseconds(limits.body_timeout_ms));
  co_await Parse(buffer, parser, ParseUntil::kMessage, ec);
  if (auto answer = RefusalFor(ec, limits)) {
    co_await Answer(std::move(*answer), version, false, summary, start, ec);
    co_return false;
  }
  if (ec) co_return false;

  const bool keep_alive = parser.get().keep_alive();
  Request request = ToRequest(parser.release(), remote_);
  summary.body_bytes = request.body.size();
  // A quick handler answers here; other handlers run on the handler pool, so that a handler
  // waiting on the store holds no I/O thread, and writes from many requests can share the
  // store's commits.
  // (No co_await inside a conditional expression: GCC 12 miscompiles that.)
  std::optional<Response> response = server_.HandleQuick(request);
  if (!response) {
    response = co_await asio::co_spawn(
        server_.handlers(),
        [this, &request]() -> asio::awaitable<Response> { co_return server_.Handle(request); },
        asio::use_awaitable);
  }
  // Bodies and credentials may hold secrets (passwords, tokens): none outlives its request.
  Wipe(request.body);
  for (auto& [name, value] : request.headers) Wipe(value);
  summary.route = request.route;
  // A request that arrived during shutdown is answered, and its connection closed.
  const bool keep = keep_alive && !server_.stopping();
  co_await Answer(std::move(*response), version, keep, summary, start, ec);
  co_return keep && !ec;
}

asio::awaitable<void> Connection::Answer(Response response, unsigned version, bool keep_alive,
                                         const RequestSummary& summary,
                                         std::chrono::steady_clock::time_point start,
                                         boost::system::error_code& ec) {
  const int status = response.status;
  const size_t bytes_out = response.body.size();
  // One buffer, so that the answer leaves in as few TLS records and system calls as it can.
  wire_.clear();
  SerializeResponse(response, version, keep_alive, wire_);
  Wipe(response.body);
  // Counted before the answer leaves, so that whoever has the answer also finds it counted
  // in /metrics; the latency histogram therefore measures the time to produce the answer.
  server_.metrics().RecordRequest(
      summary.route, summary.method, status,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  tcp().expires_after(Milliseconds(server_.limits().body_timeout_ms));
  co_await asio::async_write(stream_, asio::buffer(wire_),
                             asio::redirect_error(asio::use_awaitable, ec));
  Wipe(wire_);
  if (wire_.capacity() > kKeptWireBytes) std::string().swap(wire_);  // after a large answer
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Only named, harmless fields: never the body, never Authorization or Cookie.
  LogLine line;
  line.Number("conn", static_cast<int64_t>(id_))
      .Text("remote", remote_)
      .Text("method", summary.method)
      .Text("path", summary.path)
      .Text("route", summary.route)
      .Number("status", static_cast<int64_t>(status))
      .Number("duration_ms", seconds * 1000)
      .Number("bytes_in", static_cast<int64_t>(summary.body_bytes))
      .Number("bytes_out", static_cast<int64_t>(bytes_out))
      .Text("user_agent", summary.user_agent);
  if (!summary.query.empty()) line.Text("query", summary.query);
  if (!response.log_note.empty()) line.Text("error", response.log_note);
  if (ec) line.Text("write_error", ec.message());
  line.Log(server_.logger(), status >= 500 ? spdlog::level::err : spdlog::level::info, "request");
}

namespace {

// `dispatch()`'s answer; 500 (logged) when it throws.
template <typename Dispatch>
auto Answered(spdlog::logger& logger, const Request& request, Dispatch dispatch)
    -> decltype(dispatch()) {
  try {
    return dispatch();
  } catch (const std::exception& e) {
    LogJson(logger, spdlog::level::err, "handler threw",
            {{"route", request.route}, {"error", e.what()}});
  }
  return ErrorResponse(Status::Internal("handler threw"));
}

}  // namespace

std::optional<Response> Server::Impl::HandleQuick(Request& request) {
  return Answered(*logger_, request, [&] { return router_.DispatchQuick(request); });
}

Response Server::Impl::Handle(Request& request) {
  return Answered(*logger_, request, [&] { return router_.Dispatch(request); });
}

void Server::Impl::Forget(uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
  if (stopping_ && connections_.empty() && !destroying_)
    asio::post(main_loop(), [this] { deadline_.cancel(); });
}

std::vector<std::unique_ptr<asio::io_context>> Server::Impl::MakeLoops(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<asio::io_context>> loops;
  // Concurrency hint 1: each loop is run by one thread (others only post to it).
  for (unsigned i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  return loops;
}

asio::awaitable<void> Server::Impl::Accept() {
  for (;;) {
    tcp::socket socket(*loops_[next_loop_++ % loops_.size()]);
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) co_return;
    if (ec) {
      // Out of file descriptors and the like: log, and keep serving the others.
      LogJson(*logger_, spdlog::level::warn, "accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(main_loop(), kAcceptRetryDelay);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(mutex_);
      if (connections_.size() >= options_.limits.max_connections) {
        metrics_.ConnectionRejected();
      } else {
        const uint64_t id = next_id_++;
        connection = std::make_shared<Connection>(*this, std::move(socket), id);
        connections_.emplace(id, connection);
      }
    }
    if (!connection) {
      LogJson(*logger_, spdlog::level::warn, "connection refused: max_connections reached",
              {{"max_connections", options_.limits.max_connections}});
      continue;  // the socket closes as it goes out of scope
    }
    asio::co_spawn(connection->executor(), connection->Run(connection), asio::detached);
  }
}

void Server::Impl::BeginShutdown() {
  if (stopping_.exchange(true)) return;
  boost::system::error_code ec;
  acceptor_.close(ec);
  signals_.cancel(ec);
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  LogJson(*logger_, spdlog::level::info, "shutting down",
          {{"open_connections", open.size()},
           {"shutdown_timeout_ms", options_.limits.shutdown_timeout_ms}});
  for (auto& connection : open) {
    asio::post(connection->executor(), [connection] { connection->CloseIfIdle(); });
  }
  keep_running_.clear();  // each loop returns once its last connection has closed
  if (open.empty()) return;
  deadline_.expires_after(Milliseconds(options_.limits.shutdown_timeout_ms));
  deadline_.async_wait([this](boost::system::error_code wait_ec) {
    if (wait_ec) return;  // cancelled: every connection finished in time
    LogJson(*logger_, spdlog::level::warn, "shutdown deadline passed; closing the rest");
    for (auto& loop : loops_) loop->stop();
  });
}

void Server::Impl::Run(bool handle_signals) {
  asio::co_spawn(main_loop(), Accept(), asio::detached);
  if (handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      LogJson(*logger_, spdlog::level::info, "signal received", {{"signal", signal}});
      BeginShutdown();
    });
  }
  LogJson(*logger_, spdlog::level::info, "listening",
          {{"address", options_.listen.host}, {"port", port_}});
  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
  }
  main_loop().run();
  for (std::thread& t : threads) t.join();
  handlers_.join();
  LogJson(*logger_, spdlog::level::info, "stopped");
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, const Router& router,
                                               Metrics& metrics,
                                               std::shared_ptr<spdlog::logger> logger) {
  LOCKBOX_ASSIGN_OR_RETURN(auto tls, MakeTlsContext(options));
  auto impl = std::make_unique<Impl>(options, router, metrics, std::move(logger), std::move(tls));
  LOCKBOX_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port_; }
void Server::Run() { impl_->Run(false); }
void Server::RunUntilSignal() { impl_->Run(true); }
void Server::Shutdown() { impl_->Shutdown(); }

}  // namespace lockbox::http

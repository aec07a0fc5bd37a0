// Server: Lockbox's HTTPS server (TLS 1.2+, HTTP/1.1 with keep-alive) answering the routes of
// a Router on a pool of I/O threads.
//
//   http::Metrics metrics;
//   http::Router router;
//   LOCKBOX_RETURN_IF_ERROR(http::AddBuiltinRoutes(router, metrics, health_check));
//   LOCKBOX_ASSIGN_OR_RETURN(auto server, http::Server::Create(options, router, metrics, logger));
//   server->RunUntilSignal();  // returns after SIGTERM/SIGINT and a graceful shutdown
//
// Each connection runs as one coroutine: TLS handshake, then requests one after another, each
// phase under its own deadline (config::Limits). A request's header and body are capped (431,
// 413). Shutdown stops accepting, closes idle connections, lets requests in flight finish and
// be answered (with Connection: close), and after shutdown_timeout_ms closes whatever is left.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "config/config.h"
#include "http/metrics.h"
#include "http/router.h"
#include "util/status.h"

namespace lockbox::http {

struct ServerOptions {
  config::ListenAddress listen{};
  config::Limits limits{};
  std::string tls_cert_file{};  // PEM chain, leaf first
  std::string tls_key_file{};   // PEM private key; refused if others may read it
  unsigned threads = 0;         // I/O threads; 0 = one per core
  // Threads that run route handlers. Handlers block on the store (a durable commit waits for
  // the disk), so there are many more of them than cores: while some wait, their writes are
  // grouped into one commit.
  unsigned handler_threads = 32;
};

class Server {
 public:
  // Loads the certificate and key and binds the listening socket (so a port in use or a bad
  // key is reported here, before anything runs). `router`, `metrics` and `logger` must outlive
  // the server.
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options, const Router& router,
                                                Metrics& metrics,
                                                std::shared_ptr<spdlog::logger> logger);
  ~Server();

  // The port actually bound (useful with port 0).
  uint16_t port() const;

  // Serves on the I/O threads (the caller's among them) until a shutdown has finished.
  void Run();
  // Run(), with SIGTERM and SIGINT starting the shutdown.
  void RunUntilSignal();
  // Starts a graceful shutdown; callable from any thread, any number of times.
  void Shutdown();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lockbox::http

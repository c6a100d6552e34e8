#include "net/http_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>
#include <optional>

namespace eb::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::unexpected<std::string> bad_url(std::string_view url, std::string_view why) {
  return std::unexpected("invalid URL '" + std::string(url) + "': " + std::string(why));
}

// One request: resolve, connect, (TLS handshake), write, read, close. Everything runs on the
// request's strand; one timer bounds the whole exchange and, when it fires, closes the socket
// so that whichever operation is pending completes with an error.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, std::shared_ptr<ssl::context> tls, ParsedUrl url,
           std::chrono::milliseconds timeout, std::size_t body_limit, HttpClient::Callback callback)
      : strand_(asio::make_strand(io)),
        resolver_(strand_),
        timer_(strand_),
        tls_context_(std::move(tls)),
        url_(std::move(url)),
        timeout_(timeout),
        callback_(std::move(callback)) {
    if (url_.tls) {
      tls_stream_.emplace(strand_, *tls_context_);
    } else {
      plain_stream_.emplace(strand_);
    }
    parser_.body_limit(body_limit);
  }

  http::request<http::string_body>& request() { return request_; }

  void start() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->begin(); });
  }

 private:
  beast::tcp_stream& tcp() {
    return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
  }

  void begin() {
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->on_timeout();
    });
    resolver_.async_resolve(
        url_.host, url_.port,
        [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

  void on_timeout() {
    timed_out_ = true;
    resolver_.cancel();
    error_code ignored;
    tcp().socket().close(ignored);
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(ec, "cannot resolve " + url_.host);
    tcp().async_connect(results, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
      self->on_connect(ec);
    });
  }

  void on_connect(error_code ec) {
    if (ec) return fail(ec, "cannot connect to " + url_.host + ":" + url_.port);
    if (!tls_stream_) return write();
    // SNI, so that a server hosting several names picks the right certificate.
    if (!SSL_set_tlsext_host_name(tls_stream_->native_handle(), url_.host.c_str())) {
      return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                  "TLS setup failed");
    }
    tls_stream_->async_handshake(ssl::stream_base::client,
                                 [self = shared_from_this()](error_code ec) {
                                   if (ec) return self->fail(ec, "TLS handshake failed");
                                   self->write();
                                 });
  }

  void write() {
    auto done = [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->fail(ec, "cannot send the request");
      self->read();
    };
    if (tls_stream_) {
      http::async_write(*tls_stream_, request_, std::move(done));
    } else {
      http::async_write(*plain_stream_, request_, std::move(done));
    }
  }

  void read() {
    auto done = [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); };
    if (tls_stream_) {
      http::async_read(*tls_stream_, buffer_, parser_, std::move(done));
    } else {
      http::async_read(*plain_stream_, buffer_, parser_, std::move(done));
    }
  }

  void on_read(error_code ec) {
    // An oversized body still carries the endpoint's answer in its status line.
    if (ec && !(ec == http::error::body_limit && parser_.is_header_done())) {
      return fail(ec, "cannot read the response");
    }
    auto& response = parser_.get();
    finish(HttpClientResult{.status = static_cast<int>(response.result_int()),
                            .body = std::move(response.body())});
  }

  void fail(error_code ec, const std::string& what) {
    if (timed_out_) {
      return finish(
          HttpClientResult{.error = "timed out after " + std::to_string(timeout_.count()) + " ms"});
    }
    finish(HttpClientResult{.error = what + ": " + ec.message()});
  }

  void finish(HttpClientResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
    auto callback = std::move(callback_);
    callback(std::move(result));
  }

  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::shared_ptr<ssl::context> tls_context_;
  std::optional<beast::tcp_stream> plain_stream_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  const ParsedUrl url_;
  const std::chrono::milliseconds timeout_;
  HttpClient::Callback callback_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool timed_out_ = false;
  bool finished_ = false;
};

}  // namespace

std::expected<ParsedUrl, std::string> parse_url(std::string_view url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad_url(url, "it contains spaces or control characters");
    }
  }
  ParsedUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad_url(url, "it has no http:// or https://");
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return bad_url(url, "only http and https are supported");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  // A fragment is never sent to the server.
  rest = rest.substr(0, rest.find('#'));
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  out.target =
      authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(url, "user names and passwords in URLs are not supported");
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unterminated [IPv6] host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "unexpected text after the [IPv6] host");
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad_url(url, "it has no host");
  if (port.empty()) {
    out.port = out.tls ? "443" : "80";
  } else {
    unsigned number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
      return bad_url(url, "the port must be a number from 1 to 65535");
    }
    out.port = std::string(port);
  }
  return out;
}

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : io_(io), options_(options), tls_(std::make_shared<ssl::context>(ssl::context::tls_client)) {
  // Certificates are not verified: the endpoints are local development servers, which use
  // self-signed certificates far more often than ones a public CA signed.
  tls_->set_verify_mode(ssl::verify_none);
}

HttpClient::~HttpClient() = default;

void HttpClient::post(std::string_view url, Headers headers, std::string body,
                      std::chrono::milliseconds timeout, Callback callback) {
  request("POST", url, std::move(headers), std::move(body), timeout, std::move(callback));
}

void HttpClient::request(std::string_view method, std::string_view url, Headers headers,
                         std::string body, std::chrono::milliseconds timeout, Callback callback) {
  auto parsed = parse_url(url);
  if (!parsed) {
    asio::post(io_, [callback = std::move(callback), error = std::move(parsed.error())] {
      callback(HttpClientResult{.error = error});
    });
    return;
  }
  const bool default_port = parsed->port == (parsed->tls ? "443" : "80");
  const bool ipv6 = parsed->host.find(':') != std::string::npos;
  std::string host_header = ipv6 ? "[" + parsed->host + "]" : parsed->host;
  if (!default_port) host_header += ":" + parsed->port;

  auto exchange = std::make_shared<Exchange>(io_, tls_, *parsed,
                                             timeout.count() > 0 ? timeout : options_.timeout,
                                             options_.body_limit, std::move(callback));
  auto& req = exchange->request();
  if (const http::verb verb = http::string_to_verb(method); verb != http::verb::unknown) {
    req.method(verb);
  } else {
    req.method_string(method);
  }
  req.target(parsed->target);
  req.version(11);
  req.set(http::field::host, host_header);
  for (auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  exchange->start();
}

}  // namespace eb::net

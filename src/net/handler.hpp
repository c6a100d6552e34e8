#pragma once
// The one interface between the transport and everything above it. net/ knows HTTP and
// nothing of AWS; it hands each complete request to a Handler and writes back whatever
// response the handler produces, whenever it produces it (long polls answer later).
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>

namespace eb::net {

class ResponseStream;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// A Beast response plus, optionally, a body streamed over time (see response_stream.hpp):
// with `stream` set the server sends these headers, ignores body(), and then sends what the
// handler writes to the stream. Being part of the response, the stream travels through any
// handler that wraps Respond.
struct HttpResponse : boost::beast::http::response<boost::beast::http::string_body> {
  using Base = boost::beast::http::response<boost::beast::http::string_body>;
  using Base::Base;
  HttpResponse() = default;
  HttpResponse(Base&& base) : Base(std::move(base)) {}  // NOLINT(google-explicit-constructor)

  std::shared_ptr<ResponseStream> stream;
};

// Called exactly once per request. May be called from any thread; the server re-posts the
// write onto the connection's strand. Copyable so it fits std::function-based callbacks.
using Respond = std::function<void(HttpResponse&&)>;

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(HttpRequest&& request, const boost::asio::ip::tcp::endpoint& peer,
                      Respond respond) = 0;
};

}  // namespace eb::net

// One connection of the HTTP server, as a template on its stream (plain TCP or TLS): requests read
// with Beast's parser under the header, body and idle limits, the handler called on the
// connection's strand, and its reply written as a whole, as a file streamed in chunks (with byte
// ranges) or as a server-sent event stream. Included only by http_session_plain.cpp and
// http_session_tls.cpp, so that each kind is compiled once, side by side.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <optional>

#include "portal/byte_range.hpp"
#include "portal/http_reply_parts.hpp"
#include "portal/http_session.hpp"

namespace dflab::portal::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

template <class Stream>
class Session final : public Connection,
                      public Subscriber,
                      public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  public:
    Session(ServerCore& core, tcp::socket socket, ssl::context* tls, std::string remote)
        : core_(core),
          stream_(make_stream(std::move(socket), tls)),
          remote_(std::move(remote)),
          heartbeat_(stream_.get_executor()) {}

    ~Session() override {
        release_download();
        if (channel_) unsubscribe(*channel_, this);
        core_.remove(this);
    }

    void start() {
        if (!core_.add(this->shared_from_this())) {
            close_now();
            return;
        }
        if constexpr (kTls) {
            state_ = State::handshake;
            tcp_layer().expires_after(core_.config.idle_timeout);
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](error_code ec) {
                                        if (ec)
                                            self->close_now();
                                        else
                                            self->read_request();
                                    });
        } else {
            read_request();
        }
    }

    void stop_soon() override {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
            // A reply being written goes out first; its completion sees the server stopping.
            if (self->state_ != State::writing) self->close_now();
        });
    }

    void deliver(const std::shared_ptr<const std::string>& message) override {
        if (pending_.fetch_add(1) >= kMaxQueuedEvents) {
            if (!dropping_.exchange(true))
                asio::post(stream_.get_executor(),
                           [self = this->shared_from_this()] { self->close_now(); });
            return;
        }
        asio::post(stream_.get_executor(), [self = this->shared_from_this(), message] {
            if (self->closed_) return;
            self->queue_.push_back(message);
            self->write_next_event();
        });
    }

  private:
    enum class State { handshake, reading, writing, streaming, closing };

    static Stream make_stream(tcp::socket socket, ssl::context* tls) {
        if constexpr (kTls)
            return Stream(std::move(socket), *tls);
        else
            return Stream(std::move(socket));
    }

    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

    // ---- reading -------------------------------------------------------------------------------

    void read_request() {
        if (core_.stopping() || closed_) {
            close_now();
            return;
        }
        state_ = State::reading;
        logged_ = true;  // nothing to log until a request starts
        entry_ = AccessEntry{};
        entry_.remote = remote_;
        parser_.emplace();
        parser_->body_limit(boost::none);  // the path's limit is set once the header is read
        parser_->header_limit(
            static_cast<uint32_t>(std::min<size_t>(core_.config.max_header_bytes, UINT32_MAX)));
        tcp_layer().expires_after(core_.config.idle_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = this->shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
    }

    // Whether a read error is the client's malformed request (answered) or a closed connection.
    static bool is_parse_error(const error_code& ec) {
        return ec.category() == http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message;
    }

    void on_header(error_code ec) {
        if (ec == http::error::header_limit) {
            fail(431, "too_large",
                 "the request header is larger than " +
                     std::to_string(core_.config.max_header_bytes) + " bytes");
            return;
        }
        if (ec) {
            if (is_parse_error(ec))
                fail(400, "bad_request", "the request is not valid HTTP");
            else
                close_now();
            return;
        }
        auto& message = parser_->get();
        logged_ = false;
        entry_.request_line =
            std::string(message.method_string()) + " " + std::string(message.target()) + " HTTP/" +
            std::to_string(message.version() / 10) + "." + std::to_string(message.version() % 10);
        entry_.referer = std::string(message[http::field::referer]);
        entry_.user_agent = std::string(message[http::field::user_agent]);
        request_ = Request{};
        if (!read_target(message.target(), request_)) {
            fail(400, "bad_request", "the request target is not valid percent-encoded UTF-8");
            return;
        }
        const size_t limit =
            core_.config.body_limit ? core_.config.body_limit(request_.path) : kDefaultBodyLimit;
        if (const auto length = parser_->content_length(); length && *length > limit) {
            fail(413, "too_large",
                 "the request body is larger than " + std::to_string(limit) + " bytes");
            return;
        }
        parser_->body_limit(limit);
        if (parser_->is_done()) {
            on_request();
            return;
        }
        if (message.version() >= 11 &&
            beast::iequals(message[http::field::expect], "100-continue")) {
            head_.emplace(http::status::continue_, 11);
            tcp_layer().expires_after(core_.config.idle_timeout);
            http::async_write(stream_, *head_,
                              [self = this->shared_from_this()](error_code e, size_t) {
                                  self->head_.reset();
                                  if (e)
                                      self->close_now();
                                  else
                                      self->read_body();
                              });
            return;
        }
        read_body();
    }

    void read_body() {
        tcp_layer().expires_after(core_.config.idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](error_code ec, size_t) {
                             if (ec == http::error::body_limit)
                                 self->fail(413, "too_large", "the request body is too large");
                             else if (ec && is_parse_error(ec))
                                 self->fail(400, "bad_request", "the request is not valid HTTP");
                             else if (ec)
                                 self->close_now();
                             else
                                 self->on_request();
                         });
    }

    // ---- answering -----------------------------------------------------------------------------

    void on_request() {
        auto& message = parser_->get();
        version_ = message.version();
        keep_alive_ = parser_->keep_alive();
        head_request_ = message.method() == http::verb::head;
        take_message(parser_->release(), request_);
        request_.remote = remote_;
        parser_.reset();

        Reply reply;
        try {
            reply = core_.handler(request_);
            if (reply.status < 100 || reply.status > 599)
                throw std::runtime_error("status " + std::to_string(reply.status));
        } catch (const std::exception& e) {
            std::cerr << "dflab serve: " << request_.method << " " << request_.path
                      << ": the handler failed: " << e.what() << "\n";
            reply = error_reply(500, "internal", "internal server error");
        } catch (...) {
            std::cerr << "dflab serve: " << request_.method << " " << request_.path
                      << ": the handler failed\n";
            reply = error_reply(500, "internal", "internal server error");
        }
        request_.body.clear();
        request_.body.shrink_to_fit();
        entry_.user = reply.log_user;
        if (reply.events && !head_request_ && reply.status == 200)
            start_events(reply);
        else if (reply.file)
            start_file(reply);
        else
            send(std::move(reply));
    }

    // A reply that ends the connection: the request could not be read.
    void fail(int status, std::string_view code, const std::string& message) {
        keep_alive_ = false;
        head_request_ = false;
        logged_ = false;
        version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
        parser_.reset();
        send(error_reply(status, code, message));
    }

    // A reply with its whole body. `length` is the Content-Length a HEAD reply announces instead
    // of its (empty) body's.
    void send(Reply reply, std::optional<uint64_t> length = std::nullopt) {
        state_ = State::writing;
        reply_.emplace();
        fill_header(*reply_, reply, version_, reply.content_type);
        if (has_no_body(reply.status)) {
            reply_->content_length(boost::none);
        } else if (head_request_) {
            reply_->content_length(length.value_or(reply.body.size()));
        } else {
            reply_->body() = std::move(reply.body);
            reply_->prepare_payload();
        }
        reply_->keep_alive(keep_alive_ && !core_.stopping());
        entry_.status = reply.status;
        const uint64_t body_bytes = reply_->body().size();
        tcp_layer().expires_after(core_.config.idle_timeout);
        http::async_write(stream_, *reply_,
                          [self = this->shared_from_this(), body_bytes](error_code ec, size_t) {
                              self->reply_.reset();
                              self->entry_.bytes = ec ? 0 : body_bytes;
                              self->log_once();
                              self->after_reply(!ec);
                          });
    }

    void after_reply(bool ok) {
        if (!ok || closed_)
            close_now();
        else if (!keep_alive_ || core_.stopping())
            graceful_close();
        else
            read_request();
    }

    void log_once() {
        if (logged_) return;
        logged_ = true;
        core_.log_access(entry_);
    }

    // ---- files ---------------------------------------------------------------------------------

    void start_file(Reply reply) {
        const FileReply file = std::move(*reply.file);
        reply.file.reset();
        FileDescriptor fd(::open(file.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (fd.get() < 0) {
            const int error = errno;
            if (error != ENOENT)
                std::cerr << "dflab serve: " << file.path.string()
                          << ": cannot be opened: " << std::strerror(error) << "\n";
            send(error_reply(404, "not_found", "not found"));
            return;
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
            std::cerr << "dflab serve: " << file.path.string() << ": not a regular file\n";
            send(error_reply(404, "not_found", "not found"));
            return;
        }
        const auto size = static_cast<uint64_t>(st.st_size);
        if (size != file.size) {  // the file changed: its entity tag would lie
            std::cerr << "dflab serve: " << file.path.string() << ": is " << size << " bytes now, "
                      << file.size << " were expected\n";
            send(error_reply(500, "internal", "internal server error"));
            return;
        }
        ByteRange range;
        const std::string range_header = request_.header("range");
        const std::string if_range = request_.header("if-range");
        if (!range_header.empty() && (if_range.empty() || if_range_matches(if_range, file.etag)))
            range = parse_range(range_header, size);
        reply.headers.emplace_back("Accept-Ranges", "bytes");
        if (!file.etag.empty()) reply.headers.emplace_back("ETag", file.etag);
        if (range.kind == ByteRange::Kind::unsatisfiable) {
            reply.status = 416;
            reply.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
            reply.body.clear();
            reply.content_type.clear();
            send(std::move(reply));
            return;
        }
        if (!file.download_name.empty())
            reply.headers.emplace_back("Content-Disposition",
                                       content_disposition(file.download_name));
        uint64_t first = 0, length = size;
        if (range.kind == ByteRange::Kind::part) {
            first = range.first;
            length = range.length();
            reply.status = 206;
            reply.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) +
                                                            "-" + std::to_string(range.last) + "/" +
                                                            std::to_string(size));
        }
        reply.content_type = file.content_type;
        reply.body.clear();
        if (head_request_) {
            send(std::move(reply), length);
            return;
        }
        if (core_.downloads.fetch_add(1) >= core_.config.max_downloads) {
            core_.downloads.fetch_sub(1);
            Reply busy =
                error_reply(503, "busy",
                            "too many downloads at once; retry in " +
                                std::to_string(core_.config.retry_after_seconds) + " seconds");
            busy.headers.emplace_back("Retry-After",
                                      std::to_string(core_.config.retry_after_seconds));
            send(std::move(busy));
            return;
        }
        has_slot_ = true;
        file_ = std::move(fd);
        offset_ = first;
        remaining_ = length;
        bytes_sent_ = 0;
        entry_.status = reply.status;
        chunk_.resize(
            static_cast<size_t>(std::min<uint64_t>(kChunkBytes, std::max<uint64_t>(length, 1))));
        state_ = State::streaming;
        head_.emplace();
        fill_header(*head_, reply, version_, reply.content_type);
        head_->content_length(length);
        head_->keep_alive(keep_alive_ && !core_.stopping());
        head_serializer_.emplace(*head_);
        tcp_layer().expires_after(core_.config.idle_timeout);
        http::async_write_header(stream_, *head_serializer_,
                                 [self = this->shared_from_this()](error_code ec, size_t) {
                                     if (ec)
                                         self->end_download(false);
                                     else
                                         self->send_chunk();
                                 });
    }

    void send_chunk() {
        if (closed_) {
            end_download(false);
            return;
        }
        if (remaining_ == 0) {
            end_download(true);
            return;
        }
        const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining_, chunk_.size()));
        size_t got = 0;
        while (got < want) {
            const ssize_t n = ::pread(file_.get(), chunk_.data() + got, want - got,
                                      static_cast<off_t>(offset_ + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                std::cerr << "dflab serve: a file being sent could not be read at offset "
                          << offset_ + got << ": "
                          << (n == 0 ? "it became shorter" : std::strerror(errno)) << "\n";
                end_download(false);
                return;
            }
            got += static_cast<size_t>(n);
        }
        tcp_layer().expires_after(core_.config.idle_timeout);
        asio::async_write(stream_, asio::buffer(chunk_.data(), want),
                          [self = this->shared_from_this()](error_code ec, size_t written) {
                              self->bytes_sent_ += written;
                              if (ec) {
                                  self->end_download(false);
                                  return;
                              }
                              self->offset_ += written;
                              self->remaining_ -= written;
                              self->send_chunk();
                          });
    }

    void release_download() {
        if (has_slot_) core_.downloads.fetch_sub(1);
        has_slot_ = false;
        file_.reset();
        std::vector<char>().swap(chunk_);
    }

    void end_download(bool ok) {
        if (!has_slot_) return;
        release_download();
        head_serializer_.reset();
        head_.reset();
        entry_.bytes = bytes_sent_;
        log_once();
        after_reply(ok);
    }

    // ---- event streams -------------------------------------------------------------------------

    void start_events(const Reply& reply) {
        channel_ = reply.events;
        try {
            subscribe(*channel_, this->shared_from_this());
        } catch (const std::exception& e) {
            channel_.reset();
            std::cerr << "dflab serve: " << request_.path << ": " << e.what() << "\n";
            send(error_reply(500, "internal", "internal server error"));
            return;
        }
        state_ = State::streaming;
        entry_.status = reply.status;
        bytes_sent_ = 0;
        head_.emplace();
        fill_header(*head_, reply, version_, "text/event-stream");
        head_->set(http::field::content_type, "text/event-stream");
        head_->set(http::field::cache_control, "no-store");
        head_->set("X-Accel-Buffering", "no");
        head_->keep_alive(false);  // the stream ends with the connection
        head_serializer_.emplace(*head_);
        static const auto hello = std::make_shared<const std::string>(": hello\n\n");
        pending_.fetch_add(1);
        queue_.push_front(hello);
        writing_ = true;
        tcp_layer().expires_after(core_.config.idle_timeout);
        http::async_write_header(stream_, *head_serializer_,
                                 [self = this->shared_from_this()](error_code ec, size_t) {
                                     self->writing_ = false;
                                     if (ec) {
                                         self->close_now();
                                         return;
                                     }
                                     self->tcp_layer().expires_never();
                                     self->watch_for_close();
                                     self->arm_heartbeat();
                                     self->write_next_event();
                                 });
    }

    void write_next_event() {
        if (writing_ || closed_ || queue_.empty()) return;
        writing_ = true;
        tcp_layer().expires_after(core_.config.idle_timeout);
        asio::async_write(stream_, asio::buffer(*queue_.front()),
                          [self = this->shared_from_this()](error_code ec, size_t written) {
                              self->writing_ = false;
                              self->bytes_sent_ += written;
                              if (ec || self->closed_) {
                                  self->close_now();
                                  return;
                              }
                              self->queue_.pop_front();
                              self->pending_.fetch_sub(1);
                              self->tcp_layer().expires_never();
                              self->write_next_event();
                          });
    }

    // The client sends nothing on an event stream; a read ends when it goes away.
    void watch_for_close() {
        stream_.async_read_some(asio::buffer(discard_),
                                [self = this->shared_from_this()](error_code ec, size_t) {
                                    if (ec)
                                        self->close_now();
                                    else
                                        self->watch_for_close();
                                });
    }

    void arm_heartbeat() {
        heartbeat_.expires_after(core_.config.event_heartbeat);
        heartbeat_.async_wait([self = this->shared_from_this()](error_code ec) {
            if (ec || self->closed_) return;
            if (self->queue_.empty() && !self->writing_) {
                static const auto beat = std::make_shared<const std::string>(": heartbeat\n\n");
                self->pending_.fetch_add(1);
                self->queue_.push_back(beat);
                self->write_next_event();
            }
            self->arm_heartbeat();
        });
    }

    // ---- closing -------------------------------------------------------------------------------

    // Tells the client we are done, then reads what it still sends for a moment, so that a reply
    // to a request whose body was refused is not lost to a reset.
    void graceful_close() {
        if (closed_) return;
        state_ = State::closing;
        tcp_layer().expires_after(kLingerTime);
        if constexpr (kTls) {
            stream_.async_shutdown(
                [self = this->shared_from_this()](error_code) { self->close_now(); });
        } else {
            error_code ignored;
            tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
            linger();
        }
    }

    void linger() {
        tcp_layer().async_read_some(asio::buffer(discard_),
                                    [self = this->shared_from_this()](error_code ec, size_t) {
                                        if (ec || self->closed_)
                                            self->close_now();
                                        else
                                            self->linger();
                                    });
    }

    void close_now() {
        if (closed_) return;
        closed_ = true;
        state_ = State::closing;
        heartbeat_.cancel();
        if (channel_) {
            unsubscribe(*channel_, this);
            entry_.bytes = bytes_sent_;
            log_once();
        }
        if (has_slot_) {  // a download cut short (stop, write error)
            entry_.bytes = bytes_sent_;
            log_once();
        }
        error_code ignored;
        tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp_layer().close();
    }

    ServerCore& core_;
    Stream stream_;
    std::string remote_;
    asio::steady_timer heartbeat_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    State state_ = State::reading;
    bool closed_ = false;

    Request request_;
    AccessEntry entry_;
    bool logged_ = true;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool head_request_ = false;

    std::optional<http::response<http::string_body>> reply_;
    std::optional<http::response<http::empty_body>> head_;
    std::optional<http::response_serializer<http::empty_body>> head_serializer_;

    bool has_slot_ = false;
    FileDescriptor file_;
    uint64_t offset_ = 0, remaining_ = 0, bytes_sent_ = 0;
    std::vector<char> chunk_;

    std::shared_ptr<EventChannel> channel_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    bool writing_ = false;
    std::atomic<size_t> pending_{0};
    std::atomic<bool> dropping_{false};
    std::array<char, 1024> discard_{};
};

}  // namespace dflab::portal::detail

/// libwebsockets and OpenSSL macros the signalling WebSocket (Sources/LiveKit/Connection) needs as
/// plain symbols: LWS_PRE and the option bits are expressions Swift does not import, and
/// SSL_set_tlsext_host_name / SSL_CTX_set_min_proto_version are SSL_ctrl macros.
#ifndef STEADFAST_CSHIMS_WEBSOCKETS_H
#define STEADFAST_CSHIMS_WEBSOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>

/// LWS_PRE: the headroom lws_write needs before the payload for the frame header.
extern const size_t steadfast_LWS_PRE;
/// LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT: a vhost only gets client TLS with this bit.
extern const uint64_t steadfast_LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
/// LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS.
extern const uint64_t steadfast_LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
/// CONTEXT_PORT_NO_LISTEN: a vhost for client connections only.
extern const int steadfast_CONTEXT_PORT_NO_LISTEN;
/// LWS_TO_KILL_ASYNC: lws_set_timeout's "close this connection at the next service".
extern const int steadfast_LWS_TO_KILL_ASYNC;

/// SSL_set_tlsext_host_name(ssl, NULL): send no SNI (RFC 6066 §3 allows no IP literals there).
long steadfast_SSL_clear_tlsext_host_name(SSL *ssl);
/// SSL_CTX_set_min_proto_version.
long steadfast_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);

#endif

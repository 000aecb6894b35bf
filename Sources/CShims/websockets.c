#include "CShimsWebSockets.h"

const size_t steadfast_LWS_PRE = LWS_PRE;
const uint64_t steadfast_LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
const uint64_t steadfast_LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
const int steadfast_CONTEXT_PORT_NO_LISTEN = CONTEXT_PORT_NO_LISTEN;
const int steadfast_LWS_TO_KILL_ASYNC = LWS_TO_KILL_ASYNC;

long steadfast_SSL_clear_tlsext_host_name(SSL *ssl) { return SSL_set_tlsext_host_name(ssl, NULL); }
long steadfast_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

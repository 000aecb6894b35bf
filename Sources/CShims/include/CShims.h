/// C wrappers for library entry points Swift cannot import directly:
/// function-like macros (OpenSSL's SSL_set_mtu, DTLSv1_get_timeout, ...) and
/// variadic functions (opus_*_ctl, curl_easy_setopt, curl_easy_getinfo, ...).
/// Each wrapper is a plain function with fixed argument types so Swift sees a
/// normal signature; none adds behaviour of its own.
#ifndef STEADFAST_CSHIMS_H
#define STEADFAST_CSHIMS_H

#include <opus.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>
#include <curl/curl.h>
#include <sys/time.h>
#include <sys/socket.h>

/* ---------- OpenSSL: DTLS and memory BIO macros ---------- */

/// SSL_set_mtu: the DTLS path MTU used for record and handshake fragmentation.
long steadfast_SSL_set_mtu(SSL *ssl, long mtu);
/// DTLSv1_get_timeout: 1 and fills `tv` when a retransmit timer runs, 0 when none does.
long steadfast_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv);
/// DTLSv1_handle_timeout: retransmits the last flight if its timer expired.
long steadfast_DTLSv1_handle_timeout(SSL *ssl);
/// BIO_set_mem_eof_return: what an empty memory BIO reports (-1 = "retry", not EOF).
long steadfast_BIO_set_mem_eof_return(BIO *bio, int value);
/// BIO_get_mem_data: pointer to the readable bytes of a memory BIO; returns their count.
long steadfast_BIO_get_mem_data(BIO *bio, char **data);
/// SSL_OP_NO_QUERY_MTU (an SSL_OP_BIT macro): set it so SSL_set_mtu is used instead of probing.
extern const uint64_t steadfast_SSL_OP_NO_QUERY_MTU;
/// SSL_CTX_set_read_ahead: DTLS needs whole datagrams read at once.
long steadfast_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes);
/// SSL_get_extms_support: 1 when the peer negotiated the extended master secret (RFC 7627).
long steadfast_SSL_get_extms_support(SSL *ssl);

/* ---------- Opus: the variadic *_ctl requests ---------- */

/// opus_encoder_ctl for a request taking one opus_int32 value (OPUS_SET_*_REQUEST).
int steadfast_opus_encoder_set(OpusEncoder *enc, int request, opus_int32 value);
/// opus_encoder_ctl for a request writing one opus_int32 (OPUS_GET_*_REQUEST).
int steadfast_opus_encoder_get(OpusEncoder *enc, int request, opus_int32 *value);
/// opus_encoder_ctl(OPUS_RESET_STATE).
int steadfast_opus_encoder_reset(OpusEncoder *enc);
/// opus_decoder_ctl for a request taking one opus_int32 value.
int steadfast_opus_decoder_set(OpusDecoder *dec, int request, opus_int32 value);
/// opus_decoder_ctl for a request writing one opus_int32 (e.g. OPUS_GET_LAST_PACKET_DURATION_REQUEST).
int steadfast_opus_decoder_get(OpusDecoder *dec, int request, opus_int32 *value);
/// opus_decoder_ctl(OPUS_RESET_STATE).
int steadfast_opus_decoder_reset(OpusDecoder *dec);

/* ---------- libcurl: the variadic setopt/getinfo calls ---------- */

/// Signature of CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*steadfast_curl_data_callback)(char *data, size_t size, size_t count, void *context);
/// Signature of CURLOPT_XFERINFOFUNCTION (progress; non-zero return aborts the transfer).
typedef int (*steadfast_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                                curl_off_t ultotal, curl_off_t ulnow);

CURLcode steadfast_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode steadfast_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode steadfast_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode steadfast_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode steadfast_curl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                  steadfast_curl_data_callback callback);
CURLcode steadfast_curl_easy_setopt_progress_callback(CURL *handle, steadfast_curl_progress_callback callback);
CURLcode steadfast_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode steadfast_curl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode steadfast_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode steadfast_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLMcode steadfast_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
/// CURLOPT_PREREQFUNCTION: called once the connection is ready, right before the request is sent
/// (the start of the first-byte deadline). Return CURL_PREREQFUNC_OK (0) to proceed.
CURLcode steadfast_curl_easy_setopt_prereq_callback(CURL *handle, curl_prereq_callback callback);

/* ---------- UDP: batched receive (recvmmsg needs _GNU_SOURCE, which Swift's Glibc lacks) ---------- */

/// Receives up to `count` (≤ 64) datagrams without blocking into `count` slots of `slot_size`
/// bytes in `buffer`. Fills each slot's source address, address length, received length and
/// flags (MSG_TRUNC when cut). Returns the number received, or -1 with errno set.
int steadfast_udp_receive_batch(int fd, void *buffer, size_t slot_size, unsigned count,
                                struct sockaddr_storage *addresses, socklen_t *address_lengths,
                                unsigned *lengths, int *flags);

/* ---------- DTLS transport (Sources/RTC/DTLS) ---------- */

/// SSL_OP_NO_RENEGOTIATION (an SSL_OP_BIT macro): WebRTC peers never renegotiate DTLS, so refuse it.
extern const uint64_t steadfast_SSL_OP_NO_RENEGOTIATION;
/// SSL_OP_NO_TICKET (an SSL_OP_BIT macro): WebRTC never resumes DTLS sessions, so skip the ticket.
extern const uint64_t steadfast_SSL_OP_NO_TICKET;

/* ---------- libwebsockets (Sources/LiveKit/Connection) ---------- */

#include "CShimsWebSockets.h"

#endif

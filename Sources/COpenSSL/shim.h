/* OpenSSL (Debian's libssl-dev, linked dynamically: libssl3) as one Clang module: TLS for the
 * metrics listener. The calls OpenSSL defines as macros, which Swift cannot import, are wrapped
 * here as static inline functions, each prefixed cos_ and named after the macro it calls. */
#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* SSL_CTX_set_min_proto_version / SSL_CTX_set_max_proto_version (TLS1_2_VERSION, TLS1_3_VERSION). */
static inline int cos_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int cos_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/* SSL_CTX_set_mode: partial writes, and a write retried from a moved buffer (a Swift array may move). */
static inline void cos_ctx_set_nonblocking_write_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                              | SSL_MODE_RELEASE_BUFFERS);
}

/* SSL_CTX_set_options: no renegotiation (a client could make the server work at will), no
 * compression (CRIME), and the server's cipher order. */
static inline void cos_ctx_set_server_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

/* SSL_CTX_set_session_cache_mode(SSL_SESS_CACHE_OFF) and no tickets: a scrape reuses its
 * connection, so resumption saves little, and no ticket key then lives in the daemon. */
static inline void cos_ctx_disable_resumption(SSL_CTX *ctx) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
}

/* ERR_GET_REASON of an error code (a macro in some OpenSSL versions, an inline function in others). */
static inline int cos_err_reason(unsigned long code) {
    return ERR_GET_REASON(code);
}

#endif

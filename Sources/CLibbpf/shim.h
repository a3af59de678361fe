/* The libbpf API (Debian's libbpf-dev 1.1.2 and later) as one Clang module for the BPF target. */
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#endif

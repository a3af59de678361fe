// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ringsample.bpf.c - the classic "RingSample": one ring buffer record per file open, with the
 * caller's pid, comm and the file name.
 *
 * Two ways in, user space attaches the first that works:
 *   kprobe/do_sys_openat2          - every open(), openat(), openat2() and creat() (needs kprobes)
 *   tp/syscalls/sys_enter_openat   - the openat() syscall tracepoint (works without kprobes)
 */

/* The package's CO-RE header (bpf/vmlinux_subset.h): the few kernel types used, instead of a
 * generated vmlinux.h. */
#include "vmlinux_subset.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define FILE_NAME_LEN 256

/* One record, as RingSample's Swift `Sample` reads it: 276 bytes. */
struct event {
	__u32 e_pid;			/* the caller's process id (tgid) */
	char e_filename[FILE_NAME_LEN];	/* the path as the caller passed it, NUL-terminated */
	char e_comm[TASK_COMM_LEN];	/* the caller's command name */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 4096);
} rb SEC(".maps");

static __always_inline int submit_event(const char *filename)
{
	struct event *evt;

	evt = bpf_ringbuf_reserve(&rb, sizeof(*evt), 0);
	if (!evt)
		return 0;	/* ring full: this open goes unreported */
	evt->e_pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(evt->e_comm, sizeof(evt->e_comm));
	if (bpf_probe_read_user_str(evt->e_filename, sizeof(evt->e_filename), filename) < 0)
		evt->e_filename[0] = '\0';
	bpf_ringbuf_submit(evt, 0);
	return 0;
}

/* long do_sys_openat2(int dfd, const char __user *filename, struct open_how *how) */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(kprobe__do_sys_openat2, int dfd, const char *filename)
{
	return submit_event(filename);
}

/* openat(int dfd, const char __user *filename, int flags, umode_t mode): args[1] is the path. */
SEC("tp/syscalls/sys_enter_openat")
int tracepoint__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return submit_event((const char *)ctx->args[1]);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vmlinux_subset.h - the few kernel types bpf/fileopend.bpf.c touches, for CO-RE.
 *
 * Instead of a 3 MB generated vmlinux.h: each struct lists only the fields we read and carries
 * preserve_access_index, so libbpf relocates every field offset against the running kernel's BTF.
 */
#ifndef VMLINUX_SUBSET_H
#define VMLINUX_SUBSET_H
/* Tells libbpf's bpf_tracing.h to use the kernel's pt_regs field names (di, not rdi). */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

/* Map flags. */
enum {
	BPF_F_NO_PREALLOC = 1,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
};

/* Only the name matters: bpf_core_enum_value_exists() asks the kernel's BTF about it. */
enum bpf_func_id {
	BPF_FUNC_get_current_task_btf = 158,
	BPF_FUNC_task_pt_regs = 175,
	BPF_FUNC_loop = 181,
};

/* A raw tracepoint program's context: the tracepoint's arguments as words. */
struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

struct file_handle;
#define AT_FDCWD	-100

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	long unsigned int r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	long unsigned int ax, cx, dx, si, di;
	long unsigned int orig_ax;
	long unsigned int ip;
	long unsigned int cs;
	long unsigned int flags;
	long unsigned int sp;
	long unsigned int ss;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			u64 regs[31];
			u64 sp;
			u64 pc;
			u64 pstate;
		};
	};
	u64 orig_x0;
	s32 syscallno;
};
#endif

struct trace_entry {
	short unsigned int type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long int id;
	long unsigned int args[6];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long int id;
	long int ret;
};

struct open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;		/* threads still running; 0 once the whole group is exiting */
};

typedef struct {
	u32 val;
} kuid_t;

struct cred {
	kuid_t uid;
};

struct kernfs_node {
	u64 id;			/* the cgroup id, for a cgroup's node (u64 since Linux 5.5) */
	const char *name;	/* the directory's name */
};

struct cgroup_root {
	int hierarchy_id;	/* 0: the v2 (default) hierarchy */
};

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;	/* NULL at the root */
};

struct cgroup {
	struct cgroup_subsys_state self;	/* its own state: self.parent is the parent's */
	struct kernfs_node *kn;
	struct cgroup_root *root;
};

struct css_set {
	struct cgroup *dfl_cgrp;	/* the task's cgroup in the v2 hierarchy */
};

/* The name of a dentry: hash and len share a word (little-endian: len is the high half). */
struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

/* A mount in its namespace's tree; the vfsmount every path holds is embedded as `mnt`. */
struct mount {
	struct mount *mnt_parent;	/* itself at the top of a tree */
	struct dentry *mnt_mountpoint;	/* where it is mounted, in the parent */
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path root;	/* the process's root (chroot) in its mount namespace */
	struct path pwd;
};

struct task_struct {
	unsigned int flags;	/* PF_* */
	int pid;
	int tgid;
	int exit_code;
	u64 start_boottime;
	struct task_struct *group_leader;
	struct signal_struct *signal;
	const struct cred *cred;
	struct css_set *cgroups;
	struct fs_struct *fs;
	struct files_struct *files;
	char comm[16];
};

/* io_uring (Linux 5.1+; these fields as of 6.1): a request, and an open request's command data. */
struct filename {
	const char *name;	/* the kernel's copy of the path, made when the request is prepared */
};

struct io_cqe {
	s32 res;		/* the result posted: an fd (or 0 into a fixed slot), or -errno */
};

struct io_kiocb {
	u8 opcode;		/* IORING_OP_* */
	u32 flags;		/* REQ_F_*, low bits the SQE's IOSQE_* (u64 since 6.10: its low half on LE) */
	struct io_cqe cqe;
};

/* The command data of IORING_OP_OPENAT/OPENAT2: overlays the start of struct io_kiocb. */
struct io_open {
	int dfd;
	u32 file_slot;	/* 5.15 and later */
	struct filename *filename;
	struct open_how how;
};

#pragma clang attribute pop

#endif /* VMLINUX_SUBSET_H */

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fileopend.bpf.c - every open()/openat()/openat2()/creat(), recorded or counted.
 *
 * Two detail levels, switched by user space while it runs (the `settings` map):
 *   events - one record per open into a ring buffer, path included;
 *   counts - no record: each open is counted per process and result in the missed map.
 * Three attach modes, chosen by user space (the others are not loaded):
 *   fentry     - fexit on do_sys_openat2: arguments and result in one program.
 *   kprobe     - kprobe + kretprobe on do_sys_openat2, paired by thread id.
 *   tracepoint - syscalls/sys_exit_{open,openat,openat2,creat}, reading the arguments from the
 *                task's saved user registers; on a kernel without bpf_task_pt_regs(), the
 *                sys_enter_* tracepoints park them for the exit instead (`args_at_exit` off).
 * The path is read at exit, when the kernel has already faulted the user page in. Next to it goes
 * the path resolved in the kernel: for a successful open the opened file's own path, walked from
 * the new fd's struct file up to the process's root; for a failed one the directory the name was
 * relative to (the dirfd's, the cwd, or the root), walked the same way, for user space to join.
 * open_by_handle_at has its own hook in each mode (do_handle_open, or its syscall tracepoints).
 * Opens submitted through io_uring make no open system call: every mode adds two raw
 * tracepoints, io_uring_submit_req (io_uring_submit_sqe before 6.2) to take the request's path
 * and submitter, and io_uring_complete for its result (and the resolved path, walked then).
 *
 * Nothing is lost silently: a record that cannot be written is counted per CPU by reason and
 * its open counted in the missed map (access mode, O_CREAT, result), so user space keeps exact
 * totals; a process's exit is marked there too, so user space learns every exit.
 *
 * Every open is attributed to the caller's v2 cgroup at the moment of the open (the record's
 * cgroup_id, the missed map's key), and every v2 cgroup made or removed is reported with its
 * path, so user space can name a cgroup that lived for less than a drain interval.
 *
 * Filters (the `filters` setting: include or exclude by uid, comm, unit subtree; failed-only) are
 * judged first, at enter where there is one: a filtered-out open costs a few map lookups and
 * reaches neither the pending map, nor the ring, nor a count (only the `filtered` counters).
 */
#include "vmlinux_subset.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "fileopend.h"

#define O_ACCMODE	00000003
#define O_WRONLY	00000001
#define O_CREAT		00000100
#define O_TRUNC		00001000

#define IORING_OP_OPENAT	18
#define IORING_OP_OPENAT2	28
/* REQ_F_CQE_SKIP: a request's low flag bits are its SQE's, and IOSQE_CQE_SKIP_SUCCESS is bit 6. */
#define REQ_F_CQE_SKIP		(1U << 6)
#define PF_IO_WORKER		0x00000010	/* an io_uring kernel thread of the process (iou-sqp-*, iou-wrk-*) */

/* Load-time settings, written by user space into .rodata before load. */
const volatile __u32 excluded_tgid = 0;	/* the daemon itself: its opens would feed back */
const volatile __u64 wakeup_bytes = 0;	/* wake the consumer once this much data is pending */
const volatile bool args_at_exit = false;	/* tracepoint mode: arguments from the saved registers */

/* Settings user space changes while the program runs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fileopend_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* resized by user space */
} events SEC(".maps");

/* An open's arguments, from its entry (parked) or from the saved registers at exit. */
struct open_args {
	const char *filename;		/* user pointer, read at exit */
	const struct open_how *how;	/* openat2 from a tracepoint: user pointer, read at exit */
	__u32 flags;
	__u32 mode;
	__s32 dfd;			/* the directory fd a relative name starts from, or AT_FDCWD */
	__u16 syscall;
};

/* Who finished an open, looked up once per program run: helpers are most of a short program. */
struct caller {
	__u64 id;		/* bpf_get_current_pid_tgid(): tgid << 32 | tid */
	__u64 start_ns;		/* the group leader's start: with the tgid, the process's identity */
	__u64 cgroup_id;	/* its v2 cgroup where read already (tp_exit), else 0: read when needed */
};

/* An open between enter and exit, keyed by thread id (kprobe mode, and tracepoints on old kernels). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);	/* resized by user space */
	__type(key, __u32);
	__type(value, struct open_args);
} pending SEC(".maps");

/*
 * The opens the program counts itself, per process and result: at the events level those whose
 * record was lost, at the counts level every one. User space folds what is new every second and
 * deletes a process's entries once its exit is marked and counted. Allocated on use, so the
 * capacity (set by user space for the worst case) costs memory only where it is used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);	/* resized by user space */
	__type(key, struct fileopend_count_key);
	__type(value, struct fileopend_counts);
} missed SEC(".maps");

/* Where an open is counted when `missed` is full: under its comm, kept for good. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 20000);	/* resized by user space */
	__type(key, struct fileopend_comm_key);
	__type(value, struct fileopend_counts);
} missed_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FILEOPEND_DROP_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Opens by API other than the open system calls, and result: see enum fileopend_api. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FILEOPEND_API_COUNT * 2);
	__type(key, __u32);
	__type(value, __u64);
} api_opens SEC(".maps");

/*
 * A record is built here, then copied into the ring with its exact size: bpf_ringbuf_reserve()
 * only takes constant sizes, and a 4 KiB slot per open would waste the ring.
 * Slot 0 serves programs that run with preemption off (tracepoints, kprobes); slot 1 serves the
 * fexit program, which may be preempted but never nests with itself on one CPU.
 */
struct record_buffer {
	struct fileopend_record header;
	/*
	 * The path as passed (+ the NUL bpf_probe_read_user_str() writes), then the resolved path:
	 * each at most FILEOPEND_PATH_MAX, so twice the room keeps every masked offset in bounds.
	 */
	char path[2 * (FILEOPEND_PATH_MAX + 1)];
	/* The resolved path is built here backwards, from its last component, ending at
	 * walk[FILEOPEND_PATH_MAX + 1]; the second half takes a masked name copy's overrun. */
	char walk[2 * (FILEOPEND_PATH_MAX + 1)];
};

#define SCRATCH_NON_PREEMPTIBLE	0
#define SCRATCH_FEXIT		1
#define SCRATCH_IO_URING	2	/* io_uring submissions: never nest with themselves */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct record_buffer);
} scratch SEC(".maps");

/*
 * io_uring open requests between submission and completion, keyed by the request's address:
 * the record made at submission (path, flags, submitter), waiting for its result. Allocated on
 * use; a request whose success posts no CQE (IOSQE_CQE_SKIP_SUCCESS) is finished as a success
 * when its memory serves the next request.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct record_buffer);
} uring_pending SEC(".maps");

/*
 * Which parked requests skip their CQE on success, and how many (key 0 of uring_skipping): while
 * there are none, a submission that is not an open costs no lookup of uring_pending.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} uring_skipped SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} uring_skipping SEC(".maps");

static __always_inline void count_drop(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&drops, &reason);

	if (count)
		*count += 1;	/* per-CPU value: no other CPU writes it */
}

/* An open by an API other than the open system calls, by result; `ret` 0 when not known. */
static __always_inline void count_api(__u16 syscall, long ret)
{
	__u32 slot;
	__u64 *count;

	if (syscall < FILEOPEND_SYSCALL_IO_URING_OPENAT)
		return;
	slot = syscall == FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT ? FILEOPEND_API_OPEN_BY_HANDLE_AT : FILEOPEND_API_IO_URING;
	slot = slot * 2 + (ret < 0);
	count = bpf_map_lookup_elem(&api_opens, &slot);
	if (count)
		*count += 1;	/* per-CPU value */
}

static __always_inline __u32 tgid_of(__u64 id)
{
	return id >> 32;
}

static __always_inline bool counting_only(void)
{
	__u32 zero = 0;
	struct fileopend_settings *current = bpf_map_lookup_elem(&settings, &zero);

	return current && current->detail_level == FILEOPEND_LEVEL_COUNTS;
}

/* The current process's group leader start time (its identity with the tgid). */
static __always_inline __u64 process_start(void)
{
	/* A BTF task pointer reads fields directly, where bpf_get_current_task() needs a helper call each. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->group_leader->start_boottime;
	return BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), group_leader, start_boottime);
}

/* The current task's v2 cgroup id (its cgroupfs inode). */
static __always_inline __u64 current_cgroup(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->cgroups->dfl_cgrp->kn->id;
	return bpf_get_current_cgroup_id();
}

/*
 * ---- filters (the `filters` setting) ----
 * An open filtered out is judged as early as the attach mode allows (at enter where there is
 * one: it never touches the pending map), reaches neither the ring nor the missed maps, and is
 * counted only here, under the first kind that excluded it. The rules are entries keyed with a
 * generation; the settings' `filters` names the one in force (see bpf/fileopend.h).
 */
#define FILTER_RULES_MAX	4096	/* two generations of at most 1024 rules, with room */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FILTER_RULES_MAX);
	__type(key, struct fileopend_uid_filter_key);
	__type(value, __u32);	/* enum fileopend_filter_match */
} filter_uids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FILTER_RULES_MAX);
	__type(key, struct fileopend_comm_filter_key);
	__type(value, __u32);
} filter_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FILTER_RULES_MAX);
	__type(key, struct fileopend_unit_filter_key);
	__type(value, __u32);
} filter_units SEC(".maps");

/* The v2 cgroups in or under a unit a rule names, with the rule's mark. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct fileopend_cgroup_filter_key);
	__type(value, __u32);
} filter_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FILEOPEND_FILTERED_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} filtered SEC(".maps");

/* The filters in force: the kinds with rules (FILEOPEND_FILTER_FLAGS; none: 0) and the generation. */
static __always_inline __u32 filters_in_force(void)
{
	__u32 zero = 0;
	struct fileopend_settings *current = bpf_map_lookup_elem(&settings, &zero);

	return current ? current->filters : 0;
}

static __always_inline bool filter_out(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&filtered, &reason);

	if (count)
		*count += 1;	/* per-CPU value: no other CPU writes it */
	return true;
}

/* Whether a filter map's `match` keeps an open out: excluded, or not included where includes exist. */
static __always_inline bool judged_out(const __u32 *match, __u32 filters, __u32 include_flag)
{
	__u32 m = match ? *match : 0;

	return (m & FILEOPEND_MATCH_EXCLUDED) ||
	       ((filters & include_flag) && !(m & FILEOPEND_MATCH_INCLUDED));
}

/*
 * `word` (8 comm bytes, little-endian) up to its first NUL, the bytes from there zeroed; `ended`
 * set if it has one. Branch-free but for that test: cheaper per open than a byte loop.
 */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "up_to_nul() reads a comm's first byte as a word's lowest: little-endian targets only (bpfel)"
#endif
static __always_inline __u64 up_to_nul(__u64 word, bool *ended)
{
	__u64 nuls = (word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL;

	if (!nuls)
		return word;
	*ended = true;
	/* The lowest flag marks the first NUL exactly; the bytes below it stay. */
	return word & (((nuls & -nuls) >> 7) - 1);
}

/*
 * Whether the current task's opens are filtered out by uid, comm or unit under `filters`
 * (nonzero), the cheapest reads first. Counted if so. `comm`: the command name to judge, when
 * it is not the current thread's (NULL).
 */
static __always_inline bool caller_filtered_out(__u32 filters, const char *comm)
{
	__u32 generation = filters >> FILEOPEND_FILTER_GENERATION_SHIFT;
	bool btf = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf);
	__u32 *match;

	if (filters & (FILEOPEND_FILTER_INCLUDE_UID | FILEOPEND_FILTER_EXCLUDE_UID)) {
		struct fileopend_uid_filter_key key = { .generation = generation };

		key.uid = btf ? bpf_get_current_task_btf()->cred->uid.val : (__u32)bpf_get_current_uid_gid();
		match = bpf_map_lookup_elem(&filter_uids, &key);
		if (judged_out(match, filters, FILEOPEND_FILTER_INCLUDE_UID))
			return filter_out(FILEOPEND_FILTERED_UID);
	}
	if (filters & (FILEOPEND_FILTER_INCLUDE_COMM | FILEOPEND_FILTER_EXCLUDE_COMM)) {
		struct fileopend_comm_filter_key key = { .generation = generation };
		__u64 words[2];
		bool ended = false;

		if (comm)
			__builtin_memcpy(words, comm, sizeof(words));
		else if (btf)
			__builtin_memcpy(words, bpf_get_current_task_btf()->comm, sizeof(words));
		else
			bpf_get_current_comm(words, sizeof(words));
		/* The key is NUL-padded; a task's comm need not be past its NUL. */
		words[0] = up_to_nul(words[0], &ended);
		words[1] = ended ? 0 : up_to_nul(words[1], &ended);
		__builtin_memcpy(key.comm, words, sizeof(key.comm));
		match = bpf_map_lookup_elem(&filter_comms, &key);
		if (judged_out(match, filters, FILEOPEND_FILTER_INCLUDE_COMM))
			return filter_out(FILEOPEND_FILTERED_COMM);
	}
	if (filters & (FILEOPEND_FILTER_INCLUDE_UNIT | FILEOPEND_FILTER_EXCLUDE_UNIT)) {
		struct fileopend_cgroup_filter_key key = { .generation = generation };

		key.cgroup_id = current_cgroup();
		match = bpf_map_lookup_elem(&filter_cgroups, &key);
		if (judged_out(match, filters, FILEOPEND_FILTER_INCLUDE_UNIT))
			return filter_out(FILEOPEND_FILTERED_UNIT);
	}
	return false;
}

/* Whether an open that returned `ret` is filtered out by failed-only (decided at exit). Counted if so. */
static __always_inline bool result_filtered_out(__u32 filters, long ret)
{
	return (filters & FILEOPEND_FILTER_FAILED_ONLY) && ret >= 0 &&
	       filter_out(FILEOPEND_FILTERED_SUCCEEDED);
}

/*
 * Whether an open judged only at its exit (no entry program parked it) is not to be reported:
 * the daemon's own (`excluded_tgid`), or filtered out (counted as such).
 */
static __always_inline bool skipped_at_exit(__u64 id, long ret)
{
	__u32 filters;

	if (tgid_of(id) == excluded_tgid)
		return true;
	filters = filters_in_force();
	return (filters & FILEOPEND_FILTER_FLAGS) &&
	       (result_filtered_out(filters, ret) || caller_filtered_out(filters, NULL));
}

static __always_inline void identify_caller(struct caller *c)
{
	c->id = bpf_get_current_pid_tgid();
	c->start_ns = process_start();
	c->cgroup_id = 0;
}

/* A process's error-0 key in the missed map, in the cgroup it is in now. */
static __always_inline void process_key(struct fileopend_count_key *key, const struct caller *c)
{
	key->start_ns = c->start_ns;
	key->cgroup_id = c->cgroup_id ? c->cgroup_id : current_cgroup();
	key->tgid = tgid_of(c->id);
	key->error = 0;
}

/*
 * The entry `key` of `map`, created zero (with `comm`, or the current comm when NULL) if absent;
 * NULL when full.
 */
static __always_inline struct fileopend_counts *counts_entry(void *map, const void *key, const char *comm)
{
	struct fileopend_counts zero = {}, *counts;

	counts = bpf_map_lookup_elem(map, key);
	if (counts)
		return counts;
	if (comm)
		__builtin_memcpy(zero.comm, comm, sizeof(zero.comm));
	else
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
	/* Fails when another CPU inserted it meanwhile (then the lookup finds it) or when full. */
	bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* A process's entry for one result; its error-0 entry is made first, where its exit is marked. */
static __always_inline struct fileopend_counts *process_entry(const struct fileopend_count_key *key,
							       const char *comm)
{
	struct fileopend_count_key totals = {
		.start_ns = key->start_ns, .cgroup_id = key->cgroup_id, .tgid = key->tgid,
	};
	struct fileopend_counts *counts = bpf_map_lookup_elem(&missed, key);

	if (counts)
		return counts;
	if (key->error && !counts_entry(&missed, &totals, comm))
		return NULL;
	return counts_entry(&missed, key, comm);
}

/*
 * Counts one open of the process `key` (its totals key) under its result, `ret` being the fd or
 * -errno (NULL: not known): by access mode, and with O_CREAT. When the missed map is full, it is
 * counted under the process's comm in missed_comms. `comm` is the process's (NULL: the current
 * task's; an io_uring open may finish in a kernel worker thread).
 */
static __always_inline void count_open(struct fileopend_count_key *key, __u32 flags, const long *ret,
				       const char *comm)
{
	struct fileopend_comm_key by_comm = {};
	struct fileopend_counts *counts;

	if (ret && *ret < 0)
		key->error = *ret >= -4095 ? -*ret : FILEOPEND_ERROR_UNKNOWN;
	counts = process_entry(key, comm);
	if (!counts) {
		count_drop(FILEOPEND_DROP_MISSED_FULL);
		if (comm)
			__builtin_memcpy(by_comm.comm, comm, sizeof(by_comm.comm));
		else
			bpf_get_current_comm(by_comm.comm, sizeof(by_comm.comm));
		by_comm.error = key->error;
		counts = counts_entry(&missed_comms, &by_comm, comm);
		if (!counts) {
			count_drop(FILEOPEND_DROP_MISSED_COMM_FULL);
			return;
		}
	}
	switch (flags & O_ACCMODE) {
	case 0:
		__sync_fetch_and_add(&counts->reads, 1);
		break;
	case O_WRONLY:
		__sync_fetch_and_add(&counts->writes, 1);
		break;
	default:
		__sync_fetch_and_add(&counts->read_writes, 1);
	}
	if (flags & O_CREAT)
		__sync_fetch_and_add(&counts->creates, 1);
}

/* Force a wakeup only when the ring is filling; otherwise the consumer's drain timer suffices. */
static __always_inline long submit(void *data, __u64 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	return bpf_ringbuf_output(&events, data, size, flags);
}

static __always_inline void fill_header(struct fileopend_record *r, __u16 kind, const struct caller *c)
{
	struct task_struct *task;

	r->timestamp_ns = bpf_ktime_get_boot_ns();
	r->process_start_ns = c->start_ns;
	r->tgid = tgid_of(c->id);
	r->tid = (__u32)c->id;
	/*
	 * Through a BTF task pointer these are plain loads, where the helpers below cost a call each:
	 * the same values (the v2 cgroup's id, the uid in the initial namespace, the comm).
	 */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		task = bpf_get_current_task_btf();
		r->cgroup_id = c->cgroup_id ? c->cgroup_id : task->cgroups->dfl_cgrp->kn->id;
		r->uid = task->cred->uid.val;
		__builtin_memcpy(r->comm, task->comm, sizeof(r->comm));
	} else {
		r->cgroup_id = bpf_get_current_cgroup_id();
		r->uid = (__u32)bpf_get_current_uid_gid();
		bpf_get_current_comm(r->comm, sizeof(r->comm));
	}
	r->kind = kind;
	r->syscall = FILEOPEND_SYSCALL_UNKNOWN;
	r->open_flags = 0;
	r->mode = 0;
	r->path_len = 0;
	r->record_flags = 0;
	r->resolved_len = 0;
	r->resolution = FILEOPEND_RESOLUTION_NONE;
}

/* The path (mount and dentry) of the caller's open file `fd`; false if there is none. */
static __always_inline bool fd_path(struct task_struct *task, long fd, struct path *at)
{
	/* Plain loads through the BTF task pointer up to the fd array; helper reads from there. */
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file = NULL;

	if (!fdt || fd < 0 || fd >= fdt->max_fds)
		return false;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	return !bpf_core_read(at, sizeof(*at), &file->f_path) && at->dentry && at->mnt;
}

/* A walk from a dentry up to the process's root, one step per bpf_loop() iteration. */
struct walk {
	struct path root;		/* the process's root: where the walk ends */
	struct vfsmount *vfsmnt;	/* where it is: a mount, */
	struct mount *mnt;		/* ... the struct mount around it, */
	struct dentry *mnt_root;	/* ... that mount's root, */
	struct dentry *dentry;		/* ... and a dentry in it */
	__u64 embedded;			/* offsetof(struct mount, mnt) */
	char *out;			/* the path is written backwards, ending at out[FILEOPEND_PATH_MAX + 1] */
	__u32 size;			/* bytes written so far */
	__u16 flags;			/* FILEOPEND_RESOLVED_* */
	bool done;			/* at the root, or stopped (flagged) */
};

/* A dentry's parent and name, which every kernel keeps next to each other: read in one call. */
struct dentry_link {
	struct dentry *parent;
	struct qstr name;
};

/* A mount's parent and mount point, likewise neighbours. */
struct mount_link {
	struct mount *parent;
	struct dentry *mountpoint;
};

/*
 * One step of a walk: the mount's mount point at the top of a mount, else "/name" prepended and
 * the parent. A callback of bpf_loop(), so the verifier checks it once whatever the depth. Each
 * helper call costs tens of ns: a step makes two (three at a mount), reading neighbouring fields
 * together where CO-RE confirms they are neighbours on this kernel.
 */
static long walk_step(__u64 index, struct walk *w)
{
	/* Locals: BPF_CORE_READ() would relocate a field of struct walk itself. */
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct vfsmount *vfsmnt;
	struct dentry_link link;
	struct mount_link up;
	char *out = w->out;
	__u32 len, size;

	if (dentry == w->root.dentry && w->vfsmnt == w->root.mnt) {
		w->done = true;
		return 1;
	}
	if (dentry == w->mnt_root) {
		/* The top of this mount: go on from where it is mounted. */
		if (bpf_core_field_offset(struct mount, mnt_mountpoint) ==
		    bpf_core_field_offset(struct mount, mnt_parent) + sizeof(void *)) {
			if (bpf_probe_read_kernel(&up, sizeof(up), &mnt->mnt_parent))
				goto unreachable;
		} else {
			up.parent = BPF_CORE_READ(mnt, mnt_parent);
			up.mountpoint = BPF_CORE_READ(mnt, mnt_mountpoint);
		}
		if (up.parent == mnt || !up.parent)
			goto unreachable;
		w->dentry = up.mountpoint;
		w->mnt = up.parent;
		vfsmnt = (void *)up.parent + w->embedded;
		w->vfsmnt = vfsmnt;
		w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	if (bpf_core_field_offset(struct dentry, d_name) ==
	    bpf_core_field_offset(struct dentry, d_parent) + sizeof(void *)) {
		if (bpf_probe_read_kernel(&link, sizeof(link), &dentry->d_parent))
			goto truncated;
	} else {
		link.parent = BPF_CORE_READ(dentry, d_parent);
		if (bpf_core_read(&link.name, sizeof(link.name), &dentry->d_name))
			goto truncated;
	}
	if (link.parent == dentry || !link.parent)
		goto unreachable;	/* a disconnected dentry's own root */
	len = link.name.len;
	size = w->size;
	/* "/name" must fit with the path within FILEOPEND_PATH_MAX. */
	if (len > FILEOPEND_NAME_MAX || size + len + 1 > FILEOPEND_PATH_MAX)
		goto truncated;
	size += len + 1;
	if (!out)	/* never: the verifier cannot know it from the callback's context */
		goto truncated;
	out[(FILEOPEND_PATH_MAX + 1 - size) & FILEOPEND_PATH_MAX] = '/';
	bpf_probe_read_kernel(&out[(FILEOPEND_PATH_MAX + 2 - size) & FILEOPEND_PATH_MAX],
			      len & FILEOPEND_NAME_MAX, link.name.name);
	w->size = size;
	w->dentry = link.parent;
	return 0;
unreachable:
	w->flags |= FILEOPEND_RESOLVED_UNREACHABLE;
	w->done = true;
	return 1;
truncated:
	w->flags |= FILEOPEND_RESOLVED_TRUNCATED;
	w->done = true;
	return 1;
}

/*
 * Writes the absolute path of `at` as the process sees it (up to its root `root`, crossing
 * mounts through their mount points) into out[], backwards so that it ends at
 * out[FILEOPEND_PATH_MAX + 1], and returns where it starts. What d_path() does, within
 * FILEOPEND_RESOLVE_DEPTH steps and FILEOPEND_PATH_MAX bytes: past either, the path keeps its
 * tail and is flagged truncated. No lock is taken: a rename racing the walk may show either name.
 */
static __always_inline __u32 walk_path(char *out, const struct path *at, const struct path *root, __u16 *flags)
{
	struct walk w = {
		.root = *root,
		.vfsmnt = at->mnt,
		.dentry = at->dentry,
		.embedded = bpf_core_field_offset(struct mount, mnt),
		.out = out,
	};
	struct vfsmount *vfsmnt = at->mnt;

	w.mnt = (void *)vfsmnt - w.embedded;
	w.mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	bpf_loop(FILEOPEND_RESOLVE_DEPTH, walk_step, &w, 0);
	if (!w.done)
		w.flags |= FILEOPEND_RESOLVED_TRUNCATED;	/* deeper than the walk goes */
	*flags |= w.flags;
	if (!w.size) {
		w.size = 1;	/* the root itself */
		out[FILEOPEND_PATH_MAX] = '/';
	}
	return (FILEOPEND_PATH_MAX + 1 - w.size) & FILEOPEND_PATH_MAX;
}

/*
 * Appends the resolved path of the open `a` with result `ret` after the `len` bytes of the path
 * as passed, and returns its length: the opened file's path, or for a failed open the directory
 * its name is relative to (user space joins them).
 */
static __always_inline __u32 resolve_open(struct record_buffer *buf, const struct open_args *a, long ret, __u32 len)
{
	struct fileopend_record *r = &buf->header;
	struct task_struct *task;
	struct fs_struct *fs;
	struct path at, root;
	__u32 off, rlen;

	/* The walk is a bpf_loop() (Linux 5.17; the BTF task pointer, 5.11): without it, no resolution. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop))
		return 0;
	/* open_by_handle_at names no file: a failed one has no directory to name either. */
	if (ret < 0 && r->syscall == FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT)
		return 0;
	if (ret < 0 && len > 0 && buf->path[0] == '/' && !(r->record_flags & FILEOPEND_PATH_UNREADABLE)) {
		/* A failed absolute name: relative to the root, nothing to walk. */
		buf->path[len & FILEOPEND_PATH_MAX] = '/';
		r->resolution = FILEOPEND_RESOLUTION_LEXICAL;
		r->resolved_len = 1;
		return 1;
	}
	task = bpf_get_current_task_btf();
	fs = task->fs;
	if (!fs || bpf_core_read(&root, sizeof(root), &fs->root))
		return 0;
	if (ret >= 0) {
		/* The fd is installed by now; only a racing close() of it by another thread loses it. */
		if (!fd_path(task, ret, &at))
			return 0;
		r->resolution = FILEOPEND_RESOLUTION_FILE;
	} else {
		if (r->record_flags & FILEOPEND_PATH_UNREADABLE)
			return 0;
		if (a->dfd == AT_FDCWD) {
			if (bpf_core_read(&at, sizeof(at), &fs->pwd))
				return 0;
		} else if (!fd_path(task, a->dfd, &at))
			return 0;	/* not a directory fd of the caller's: user space says so */
		r->resolution = FILEOPEND_RESOLUTION_LEXICAL;
	}
	off = walk_path(buf->walk, &at, &root, &r->record_flags);
	rlen = FILEOPEND_PATH_MAX + 1 - off;
	if (bpf_probe_read_kernel(&buf->path[len & FILEOPEND_PATH_MAX], rlen & FILEOPEND_PATH_MAX,
				  &buf->walk[off & FILEOPEND_PATH_MAX])) {
		r->resolution = FILEOPEND_RESOLUTION_NONE;
		return 0;
	}
	r->resolved_len = rlen;
	return rlen;
}

static __always_inline void emit_open(const struct open_args *a, long ret, __u32 slot, const struct caller *c)
{
	struct fileopend_count_key key;
	struct record_buffer *buf;
	struct fileopend_record *r;
	long n;
	__u32 len = 0, rlen;
	char next = 0;

	buf = bpf_map_lookup_elem(&scratch, &slot);
	if (!buf)
		return;
	r = &buf->header;
	fill_header(r, FILEOPEND_RECORD_OPEN, c);
	r->syscall = a->syscall;
	r->open_flags = a->flags;
	r->mode = a->mode;
	r->result = ret;

	/* open_by_handle_at names no file: no path, and none missing. */
	n = a->filename ? bpf_probe_read_user_str(buf->path, (FILEOPEND_PATH_MAX + 1), a->filename) : 1;
	if (n > 0) {
		len = n - 1;
		/* A full buffer may hold the whole string or its head: look at the next byte. */
		if (n == (FILEOPEND_PATH_MAX + 1) &&
		    !bpf_probe_read_user(&next, 1, a->filename + FILEOPEND_PATH_MAX) && next)
			r->record_flags |= FILEOPEND_PATH_TRUNCATED;
	} else {
		r->record_flags |= FILEOPEND_PATH_UNREADABLE;
	}
	if (len > FILEOPEND_PATH_MAX)
		len = FILEOPEND_PATH_MAX;
	r->path_len = len;
	rlen = resolve_open(buf, a, ret, len);

	if (submit(buf, sizeof(*r) + (len & FILEOPEND_PATH_MAX) + (rlen & FILEOPEND_PATH_MAX))) {
		count_drop(FILEOPEND_DROP_RINGBUF_FULL);
		process_key(&key, c);
		count_open(&key, a->flags, &ret, NULL);
	}
}

/* A kernel string as the record's path (the header's path_len and flags). */
static __always_inline void read_kernel_path(struct record_buffer *buf, const char *path)
{
	long n = bpf_probe_read_kernel_str(buf->path, (FILEOPEND_PATH_MAX + 1), path);

	if (n > 0) {
		n -= 1;
		if (n > FILEOPEND_PATH_MAX)
			n = FILEOPEND_PATH_MAX;
	} else {
		n = 0;
		buf->header.record_flags |= FILEOPEND_PATH_UNREADABLE;
	}
	buf->header.path_len = n;
}

/* One finished open of the caller `c`, at the level in force: a record, or a count. */
static __always_inline int finish_open(struct open_args *a, long ret, __u32 slot, const struct caller *c)
{
	struct fileopend_count_key key;
	struct open_how how;

	if (a->how && !bpf_probe_read_user(&how, sizeof(how), a->how)) {
		a->flags = how.flags;
		a->mode = how.mode;
	}
	count_api(a->syscall, ret);
	if (!counting_only()) {
		emit_open(a, ret, slot, c);
		return 0;
	}
	process_key(&key, c);
	count_open(&key, a->flags, &ret, NULL);
	return 0;
}

/* Park an open's arguments at enter so the exit can report them with the result. */
static __always_inline int park_open(int dfd, const char *filename, const struct open_how *user_how,
				     __u32 flags, __u32 mode, __u16 syscall)
{
	struct open_args a = {
		.filename = filename,
		.how = user_how,
		.flags = flags,
		.mode = mode,
		.dfd = dfd,
		.syscall = syscall,
	};
	struct fileopend_count_key key;
	struct caller c;

	__u32 filters;

	identify_caller(&c);
	if (tgid_of(c.id) == excluded_tgid)
		return 0;
	/* Filtered out at enter: the exit finds nothing parked and returns at once. */
	filters = filters_in_force();
	if ((filters & FILEOPEND_FILTER_FLAGS) && caller_filtered_out(filters, NULL))
		return 0;
	if (bpf_map_update_elem(&pending, &(__u32){ (__u32)c.id }, &a, BPF_ANY)) {
		/* The result is not known yet: counted with its flags, not as a failure. */
		count_drop(FILEOPEND_DROP_PENDING_FULL);
		process_key(&key, &c);
		count_open(&key, flags, NULL, NULL);
	}
	return 0;
}

static __always_inline int finish_parked(long ret)
{
	struct open_args *parked, a;
	struct caller c;
	__u32 tid;

	c.id = bpf_get_current_pid_tgid();
	tid = (__u32)c.id;
	parked = bpf_map_lookup_elem(&pending, &tid);
	if (!parked)
		return 0;	/* entered before we attached, or excluded */
	a = *parked;
	bpf_map_delete_elem(&pending, &tid);
	if (result_filtered_out(filters_in_force(), ret))
		return 0;
	c.start_ns = process_start();
	c.cgroup_id = 0;
	return finish_open(&a, ret, SCRATCH_NON_PREEMPTIBLE, &c);
}

/*
 * A system call's argument `n` (0-3) from the task's saved user registers `regs`, which stay as
 * the caller set them until it returns (arm64 keeps the first in orig_x0, as x0 takes the result).
 */
static __always_inline unsigned long syscall_arg(const struct pt_regs *regs, int n)
{
#if defined(__TARGET_ARCH_x86)
	switch (n) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	default: return regs->r10;
	}
#elif defined(__TARGET_ARCH_arm64)
	return n == 0 ? regs->orig_x0 : regs->regs[n & 3];
#else
	return 0;
#endif
}

/* Which system call is running, from the task's saved registers (kprobe and fentry modes). */
static __always_inline __u16 current_syscall(void)
{
	struct pt_regs *regs;
	long nr;

	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return FILEOPEND_SYSCALL_UNKNOWN;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
#if defined(__TARGET_ARCH_x86)
	nr = BPF_CORE_READ(regs, orig_ax);
	switch (nr) {
	case 2: return FILEOPEND_SYSCALL_OPEN;
	case 85: return FILEOPEND_SYSCALL_CREAT;
	case 257: return FILEOPEND_SYSCALL_OPENAT;
	case 437: return FILEOPEND_SYSCALL_OPENAT2;
	}
#elif defined(__TARGET_ARCH_arm64)
	nr = BPF_CORE_READ(regs, syscallno);
	switch (nr) {
	case 56: return FILEOPEND_SYSCALL_OPENAT;
	case 437: return FILEOPEND_SYSCALL_OPENAT2;
	}
#endif
	return FILEOPEND_SYSCALL_UNKNOWN;
}

/* ---- fentry mode ---- */

SEC("fexit/do_sys_openat2")
int BPF_PROG(fexit_do_sys_openat2, int dfd, const char *filename, struct open_how *how, long ret)
{
	struct open_args a = {};
	struct caller c;

	identify_caller(&c);
	if (skipped_at_exit(c.id, ret))
		return 0;
	a.filename = filename;
	a.dfd = dfd;
	a.flags = how->flags;
	a.mode = how->mode;
	a.syscall = current_syscall();
	return finish_open(&a, ret, SCRATCH_FEXIT, &c);
}

/* ---- kprobe mode ---- */

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(kprobe_do_sys_openat2, int dfd, const char *filename, struct open_how *how)
{
	return park_open(dfd, filename, NULL, BPF_CORE_READ(how, flags), BPF_CORE_READ(how, mode),
			 current_syscall());
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(kretprobe_do_sys_openat2, long ret)
{
	return finish_parked(ret);
}

/*
 * ---- tracepoint mode (sys_*_open and sys_*_creat exist on x86_64, not on arm64) ----
 * With args_at_exit, only the exit programs are attached and read the arguments themselves.
 */

SEC("tp/syscalls/sys_enter_open")
int tp_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return park_open(AT_FDCWD, (const char *)ctx->args[0], NULL, ctx->args[1], ctx->args[2],
			 FILEOPEND_SYSCALL_OPEN);
}

SEC("tp/syscalls/sys_enter_openat")
int tp_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return park_open(ctx->args[0], (const char *)ctx->args[1], NULL, ctx->args[2], ctx->args[3],
			 FILEOPEND_SYSCALL_OPENAT);
}

SEC("tp/syscalls/sys_enter_openat2")
int tp_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return park_open(ctx->args[0], (const char *)ctx->args[1], (const struct open_how *)ctx->args[2], 0, 0,
			 FILEOPEND_SYSCALL_OPENAT2);
}

SEC("tp/syscalls/sys_enter_creat")
int tp_enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	return park_open(AT_FDCWD, (const char *)ctx->args[0], NULL, O_CREAT | O_WRONLY | O_TRUNC,
			 ctx->args[1], FILEOPEND_SYSCALL_CREAT);
}

/* The exit of one open system call: its arguments from the registers, or as parked at entry. */
static __always_inline int tp_exit(long ret, __u16 syscall)
{
	struct open_args a = { .syscall = syscall, .dfd = AT_FDCWD };
	const struct pt_regs *regs;
	struct task_struct *task;
	struct caller c;

	/* Without bpf_task_pt_regs() (args_at_exit off), the code below is never loaded. */
	if (!args_at_exit)
		return finish_parked(ret);
	c.id = bpf_get_current_pid_tgid();
	if (skipped_at_exit(c.id, ret))
		return 0;
	task = bpf_get_current_task_btf();
	c.start_ns = task->group_leader->start_boottime;
	/* Read here from the task in hand: the count key or the record needs it either way. */
	c.cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	regs = (const struct pt_regs *)bpf_task_pt_regs(task);
	switch (syscall) {
	case FILEOPEND_SYSCALL_OPEN:
		a.filename = (const char *)syscall_arg(regs, 0);
		a.flags = syscall_arg(regs, 1);
		a.mode = syscall_arg(regs, 2);
		break;
	case FILEOPEND_SYSCALL_CREAT:
		a.filename = (const char *)syscall_arg(regs, 0);
		a.flags = O_CREAT | O_WRONLY | O_TRUNC;
		a.mode = syscall_arg(regs, 1);
		break;
	case FILEOPEND_SYSCALL_OPENAT:
		a.dfd = syscall_arg(regs, 0);
		a.filename = (const char *)syscall_arg(regs, 1);
		a.flags = syscall_arg(regs, 2);
		a.mode = syscall_arg(regs, 3);
		break;
	case FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT:	/* (mount_fd, handle, flags): no name */
		a.flags = syscall_arg(regs, 2);
		break;
	default:	/* openat2: flags and mode are in the struct open_how it points to */
		a.dfd = syscall_arg(regs, 0);
		a.filename = (const char *)syscall_arg(regs, 1);
		a.how = (const struct open_how *)syscall_arg(regs, 2);
	}
	return finish_open(&a, ret, SCRATCH_NON_PREEMPTIBLE, &c);
}

SEC("tp/syscalls/sys_exit_open")
int tp_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return tp_exit(ctx->ret, FILEOPEND_SYSCALL_OPEN);
}

SEC("tp/syscalls/sys_exit_openat")
int tp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return tp_exit(ctx->ret, FILEOPEND_SYSCALL_OPENAT);
}

SEC("tp/syscalls/sys_exit_openat2")
int tp_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return tp_exit(ctx->ret, FILEOPEND_SYSCALL_OPENAT2);
}

SEC("tp/syscalls/sys_exit_creat")
int tp_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return tp_exit(ctx->ret, FILEOPEND_SYSCALL_CREAT);
}

SEC("tp/syscalls/sys_enter_open_by_handle_at")
int tp_enter_open_by_handle_at(struct trace_event_raw_sys_enter *ctx)
{
	return park_open(AT_FDCWD, NULL, NULL, ctx->args[2], 0, FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT);
}

SEC("tp/syscalls/sys_exit_open_by_handle_at")
int tp_exit_open_by_handle_at(struct trace_event_raw_sys_exit *ctx)
{
	return tp_exit(ctx->ret, FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT);
}

/*
 * ---- fentry and kprobe modes: open_by_handle_at ----
 * Both of its system calls (and the compat one) open through do_handle_open(), which never
 * reaches do_sys_openat2(): a hook of its own, of the mode's kind, so that fentry needs no
 * perf event (tracepoints would) and each mode keeps its privileges.
 */

SEC("fexit/do_handle_open")
int BPF_PROG(fexit_do_handle_open, int mountdirfd, struct file_handle *ufh, int open_flag, long ret)
{
	struct open_args a = { .flags = open_flag, .syscall = FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT };
	struct caller c;

	identify_caller(&c);
	if (skipped_at_exit(c.id, ret))
		return 0;
	return finish_open(&a, ret, SCRATCH_FEXIT, &c);
}

SEC("kprobe/do_handle_open")
int BPF_KPROBE(kprobe_do_handle_open, int mountdirfd, struct file_handle *ufh, int open_flag)
{
	return park_open(AT_FDCWD, NULL, NULL, open_flag, 0, FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT);
}

SEC("kretprobe/do_handle_open")
int BPF_KRETPROBE(kretprobe_do_handle_open, long ret)
{
	return finish_parked(ret);
}

/*
 * ---- every mode: opens submitted through io_uring ----
 * Raw tracepoints (attached with bpf_raw_tracepoint_open, as the BTF ones: no perf event), whose
 * arguments are read as plain words: the request is argument 0 of the submit tracepoint in
 * every version and argument 1 of io_uring_complete, whose other arguments changed in 6.15.
 * The kernel copies the path when it prepares the request and frees it once the open ran, so
 * the record (path, flags, submitter) is made at submission and parked until the result.
 */

/*
 * What an io_uring open parks beside its record for the walk at completion, at the start of the
 * record buffer's walk[] (which the walk overwrites only after resolve_open() has read it).
 */
struct uring_parked {
	__s32 dfd;		/* the directory fd its name is relative to */
	__u32 file_slot;	/* nonzero: the file goes to a fixed-file slot, not to an fd */
};

/* Reports or counts a parked io_uring open with its result: as the submitter, whatever thread finishes it. */
static __always_inline void finish_uring(struct record_buffer *buf, long ret, bool skipped_cqe)
{
	struct fileopend_record *r = &buf->header;
	struct fileopend_count_key key = {
		.start_ns = r->process_start_ns,
		.cgroup_id = r->cgroup_id,
		.tgid = r->tgid,
	};
	struct uring_parked parked = *(struct uring_parked *)buf->walk;
	struct open_args a = { .dfd = parked.dfd };
	__u32 rlen = 0;

	/* The submitter's uid, comm and unit were judged at submission; failed-only only now. */
	if (result_filtered_out(filters_in_force(), ret))
		return;
	count_api(r->syscall, ret);
	r->result = ret;
	r->timestamp_ns = bpf_ktime_get_boot_ns();
	if (!counting_only()) {
		/*
		 * Resolved as the submitter's process sees it: a worker finishing the open (io-wq, the
		 * SQPOLL thread) is a thread of it, sharing its files and fs. Not from some other task
		 * (a kernel fallback), nor for a file installed in a fixed slot, which has no fd.
		 */
		if ((__u32)(bpf_get_current_pid_tgid() >> 32) == r->tgid && !skipped_cqe &&
		    !(ret >= 0 && parked.file_slot))
			rlen = resolve_open(buf, &a, ret, r->path_len & FILEOPEND_PATH_MAX);
		if (!submit(buf, sizeof(*r) + (r->path_len & FILEOPEND_PATH_MAX) + (rlen & FILEOPEND_PATH_MAX)))
			return;
		count_drop(FILEOPEND_DROP_RINGBUF_FULL);
	}
	count_open(&key, r->open_flags, &ret, r->comm);
}

/* Forgets a parked request (its result reported), and that it skipped its CQE if it did. */
static __always_inline void forget_uring(__u64 address, __u64 *skipping)
{
	bpf_map_delete_elem(&uring_pending, &address);
	if (!bpf_map_delete_elem(&uring_skipped, &address) && skipping)
		__sync_fetch_and_add(skipping, -1);
}

static __always_inline int uring_submit(struct io_kiocb *req)
{
	struct io_open *open = (struct io_open *)req;
	__u32 slot = SCRATCH_IO_URING, zero = 0;
	struct fileopend_count_key key;
	struct record_buffer *buf;
	struct task_struct *task;
	struct caller c;
	__u8 opcode = BPF_CORE_READ(req, opcode);
	__u64 address = (__u64)req;
	__u64 *skipping = bpf_map_lookup_elem(&uring_skipping, &zero);
	bool opens = opcode == IORING_OP_OPENAT || opcode == IORING_OP_OPENAT2;
	__u32 filters;

	/*
	 * A request still parked at this address skipped its CQE on success (one that fails posts
	 * it): it is over, as its memory serves a new request, normally the ring's next one.
	 */
	if (opens || (skipping && *skipping)) {
		buf = bpf_map_lookup_elem(&uring_pending, &address);
		if (buf) {
			finish_uring(buf, 0, true);
			forget_uring(address, skipping);
		}
	}
	if (!opens)
		return 0;
	identify_caller(&c);
	if (tgid_of(c.id) == excluded_tgid)
		return 0;
	buf = bpf_map_lookup_elem(&scratch, &slot);
	if (!buf)
		return 0;
	fill_header(&buf->header, FILEOPEND_RECORD_OPEN, &c);
	/* Submitted by the ring's SQPOLL thread: the process's comm, not the thread's iou-sqp-PID. */
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, flags) & PF_IO_WORKER)
		BPF_CORE_READ_STR_INTO(&buf->header.comm, task, group_leader, comm);
	/* Judged by that comm too, so an excluded command cannot slip through its SQPOLL thread. */
	filters = filters_in_force();
	if ((filters & FILEOPEND_FILTER_FLAGS) && caller_filtered_out(filters, buf->header.comm))
		return 0;
	buf->header.syscall = opcode == IORING_OP_OPENAT ? FILEOPEND_SYSCALL_IO_URING_OPENAT
							 : FILEOPEND_SYSCALL_IO_URING_OPENAT2;
	buf->header.open_flags = BPF_CORE_READ(open, how.flags);
	buf->header.mode = BPF_CORE_READ(open, how.mode);
	/* The kernel's copy: at most PATH_MAX bytes with its NUL, so never truncated here. */
	read_kernel_path(buf, BPF_CORE_READ(open, filename, name));
	((struct uring_parked *)buf->walk)->dfd = BPF_CORE_READ(open, dfd);
	((struct uring_parked *)buf->walk)->file_slot =
		bpf_core_field_exists(open->file_slot) ? BPF_CORE_READ(open, file_slot) : 0;
	if (!bpf_map_update_elem(&uring_pending, &address, buf, BPF_ANY)) {
		if ((BPF_CORE_READ(req, flags) & REQ_F_CQE_SKIP) && skipping &&
		    !bpf_map_update_elem(&uring_skipped, &address, &(__u8){ 1 }, BPF_NOEXIST))
			__sync_fetch_and_add(skipping, 1);
		return 0;
	}
	/* The result will not be known: counted now with its flags, not as a failure. */
	count_drop(FILEOPEND_DROP_PENDING_FULL);
	count_api(buf->header.syscall, 0);
	process_key(&key, &c);
	count_open(&key, buf->header.open_flags, NULL, buf->header.comm);
	return 0;
}

/* Linux 6.2 and later. */
SEC("raw_tp/io_uring_submit_req")
int uring_submit_req(struct bpf_raw_tracepoint_args *ctx)
{
	return uring_submit((struct io_kiocb *)ctx->args[0]);
}

/* Linux 5.5 to 6.1: the same point, under its former name. */
SEC("raw_tp/io_uring_submit_sqe")
int uring_submit_sqe(struct bpf_raw_tracepoint_args *ctx)
{
	return uring_submit((struct io_kiocb *)ctx->args[0]);
}

SEC("raw_tp/io_uring_complete")
int uring_complete(struct bpf_raw_tracepoint_args *ctx)
{
	struct io_kiocb *req = (struct io_kiocb *)ctx->args[1];	/* NULL for a CQE of no request */
	__u64 address = (__u64)req;
	struct record_buffer *buf;
	__u8 opcode = BPF_CORE_READ(req, opcode);
	__u32 zero = 0;

	if (opcode != IORING_OP_OPENAT && opcode != IORING_OP_OPENAT2)
		return 0;
	buf = bpf_map_lookup_elem(&uring_pending, &address);
	if (!buf)
		return 0;	/* submitted before we attached, or excluded */
	finish_uring(buf, BPF_CORE_READ(req, cqe.res), false);
	forget_uring(address, bpf_map_lookup_elem(&uring_skipping, &zero));
	return 0;
}

/* ---- every mode: process exit ---- */

/*
 * A BTF tracepoint (raw, attached with bpf_raw_tracepoint_open), not a perf-event one: with
 * perf_event_paranoid 3 (Debian's default) perf_event_open needs CAP_SYS_ADMIN, and the fentry
 * mode then runs with CAP_BPF and CAP_PERFMON alone.
 */
SEC("tp_btf/sched_process_exit")
int handle_process_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 slot = SCRATCH_NON_PREEMPTIBLE;
	struct fileopend_counts *counts, mark = {};
	struct fileopend_count_key key;
	struct record_buffer *buf;
	struct caller c;

	identify_caller(&c);
	/* A thread killed inside open() never reaches the exit hook: forget what it parked. */
	if (!args_at_exit)
		bpf_map_delete_elem(&pending, &(__u32){ (__u32)c.id });

	/* One record per process: only when its last thread exits (do_exit drops live first). */
	if (BPF_CORE_READ(task, signal, live.counter) != 0 || tgid_of(c.id) == excluded_tgid)
		return 0;
	buf = bpf_map_lookup_elem(&scratch, &slot);
	if (!buf)
		return 0;
	fill_header(&buf->header, FILEOPEND_RECORD_EXIT, &c);
	buf->header.result = BPF_CORE_READ(task, exit_code);

	/*
	 * Every thread has left its opens behind, so the process's missed entries are final: mark
	 * its error-0 entry (every process with entries has one), and user space deletes them once
	 * counted. Without entries, a mark is made only when the exit record is lost, so user space
	 * learns the exit either way.
	 */
	process_key(&key, &c);
	counts = bpf_map_lookup_elem(&missed, &key);
	if (counts)
		counts->exit_ns = buf->header.timestamp_ns;
	if (!submit(buf, sizeof(buf->header)))
		return 0;
	count_drop(FILEOPEND_DROP_EXIT_RINGBUF_FULL);
	if (counts)
		return 0;
	mark.exit_ns = buf->header.timestamp_ns;
	__builtin_memcpy(mark.comm, buf->header.comm, sizeof(mark.comm));
	if (bpf_map_update_elem(&missed, &key, &mark, BPF_NOEXIST))
		count_drop(FILEOPEND_DROP_EXIT_UNMARKED);
	return 0;
}

/* ---- every mode: v2 cgroups made and removed ---- */

/*
 * A record naming the cgroup (its id, and its path from the hierarchy's root as the path), so
 * user space knows a cgroup from its creation even if it is gone before the next scrape. Only
 * the v2 hierarchy: it is the one the opens are attributed to.
 */
static __always_inline int emit_cgroup(struct cgroup *cgrp, const char *path, __u16 kind)
{
	__u32 slot = SCRATCH_NON_PREEMPTIBLE;
	struct record_buffer *buf;
	struct caller c;

	if (cgrp->root->hierarchy_id != 0)
		return 0;
	buf = bpf_map_lookup_elem(&scratch, &slot);
	if (!buf)
		return 0;
	identify_caller(&c);
	fill_header(&buf->header, kind, &c);
	buf->header.cgroup_id = cgrp->kn->id;
	read_kernel_path(buf, path);
	if (submit(buf, sizeof(buf->header) + (buf->header.path_len & FILEOPEND_PATH_MAX)))
		count_drop(FILEOPEND_DROP_CGROUP_RINGBUF_FULL);
	return 0;
}

/*
 * A new v2 cgroup is marked for the unit filters of `generation` as its parent is, plus what a
 * rule says of its own name. cgroup_mkdir holds cgroup_mutex, so a parent's mark is written
 * before any child of it can be made; user space marks the cgroups that already exist by a
 * walk that writes a cgroup's mark before it lists its children. Between the two, a cgroup
 * made while user space sets new filters is judged by them too, with no window.
 */
static __always_inline void mark_cgroup(struct cgroup *cgrp, __u32 generation)
{
	struct fileopend_unit_filter_key name = { .generation = generation };
	struct fileopend_cgroup_filter_key key = { .generation = generation };
	struct cgroup_subsys_state *parent = cgrp->self.parent;
	__u32 *match, mark = 0;

	if (parent) {
		key.cgroup_id = parent->cgroup->kn->id;
		match = bpf_map_lookup_elem(&filter_cgroups, &key);
		if (match)
			mark = *match;
	}
	if (bpf_probe_read_kernel_str(name.name, sizeof(name.name), cgrp->kn->name) > 0) {
		match = bpf_map_lookup_elem(&filter_units, &name);
		if (match)
			mark |= *match;
	}
	if (!mark)
		return;
	key.cgroup_id = cgrp->kn->id;
	bpf_map_update_elem(&filter_cgroups, &key, &mark, BPF_ANY);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(handle_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	__u32 generation = filters_in_force() >> FILEOPEND_FILTER_GENERATION_SHIFT;

	if (cgrp->root->hierarchy_id == 0) {
		/* The generation in force, and the next one, which user space may be filling now. */
		mark_cgroup(cgrp, generation);
		mark_cgroup(cgrp, (generation + 1) & (FILEOPEND_FILTER_GENERATION_MASK));
	}
	return emit_cgroup(cgrp, path, FILEOPEND_RECORD_CGROUP_MKDIR);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(handle_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	__u32 generation = filters_in_force() >> FILEOPEND_FILTER_GENERATION_SHIFT;
	struct fileopend_cgroup_filter_key key = { .cgroup_id = cgrp->kn->id, .generation = generation };

	bpf_map_delete_elem(&filter_cgroups, &key);
	key.generation = (generation + 1) & (FILEOPEND_FILTER_GENERATION_MASK);
	bpf_map_delete_elem(&filter_cgroups, &key);
	return emit_cgroup(cgrp, path, FILEOPEND_RECORD_CGROUP_RMDIR);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * CFileOpend - the record ABI shared with the kernel program (bpf/fileopend.h), and the few
 * Linux calls Swift cannot see. Every symbol is prefixed cfo_.
 */
#ifndef CFILEOPEND_H
#define CFILEOPEND_H

#include "../../../bpf/fileopend.h"

/* gettid(2): the calling thread's id (glibc's wrapper is not visible to Swift). */
int cfo_gettid(void);

#endif

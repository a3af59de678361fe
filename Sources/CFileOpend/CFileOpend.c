#define _GNU_SOURCE
#include "CFileOpend.h"

#include <sys/syscall.h>
#include <unistd.h>

int cfo_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

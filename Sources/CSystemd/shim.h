/* libsystemd (Debian's libsystemd-dev 252 and later) as one Clang module: readiness and watchdog
 * notification (sd_notify, sd_watchdog_enabled), socket activation (sd_listen_fds_with_names,
 * sd_is_socket*) and native journal logging (sd_journal_sendv). */
#ifndef CSYSTEMD_SHIM_H
#define CSYSTEMD_SHIM_H

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#endif

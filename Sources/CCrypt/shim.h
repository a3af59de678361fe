/* libxcrypt (Debian's libcrypt-dev, libcrypt1) as one Clang module: bcrypt ($2a$, $2b$, $2y$)
 * for the metrics listener's basic_auth_users, with crypt_rn (reentrant, caller's buffer) and
 * crypt_checksalt. */
#ifndef CCRYPT_SHIM_H
#define CCRYPT_SHIM_H

#include <crypt.h>

#endif

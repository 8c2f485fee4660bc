/* One status enum for the whole project: 0 is success, every failure is a negative value.
 * Library codes (CURLcode, uv errors, HTTP statuses) are translated at the boundary that called
 * the library. Async contract: a function taking a callback that returns an error never calls
 * the callback; one that returns COCM_OK calls it exactly once. */
#ifndef COCM_CORE_ERR_H
#define COCM_CORE_ERR_H

enum cocm_err {
	COCM_OK = 0,
	COCM_EINVAL = -1,     /* bad input (malformed object, bad flag, bad config) */
	COCM_ENOMEM = -2,     /* reserved: allocation failure is fatal, see xalloc.h */
	COCM_EIO = -3,        /* file or socket I/O failed */
	COCM_ETOOBIG = -4,    /* a bounded buffer or size budget was exceeded */
	COCM_EHTTP = -5,      /* transport error (connect, TLS, reset, timeout) */
	COCM_ENOTFOUND = -6,  /* 404 */
	COCM_ECONFLICT = -7,  /* 409 Conflict (stale resourceVersion, SSA conflict) */
	COCM_EEXIST = -8,     /* 409 AlreadyExists */
	COCM_EGONE = -9,      /* 410 Gone / Expired: relist */
	COCM_EINVALID = -10,  /* 422 Invalid: the server refused the object */
	COCM_ERETRY = -11,    /* 429 / 503 / 500: retry later (maybe after Retry-After) */
	COCM_EAUTH = -12,     /* 401 / 403 */
	COCM_ECANCELED = -13, /* the operation was cancelled (shutdown) */
	COCM_EPARSE = -14,    /* bytes from outside did not parse (JSON, YAML, framing) */
	COCM_ESTATE = -15,    /* called in the wrong state */
};

/* Short stable name of an error ("EINVAL"); never NULL. */
const char *cocm_err_name(enum cocm_err err);

#endif

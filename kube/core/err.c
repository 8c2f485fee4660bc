/* Names for enum cocm_err, for logs and messages. */
#include "kube/core/err.h"

const char *cocm_err_name(enum cocm_err err)
{
	switch (err) {
	case COCM_OK: return "OK";
	case COCM_EINVAL: return "EINVAL";
	case COCM_ENOMEM: return "ENOMEM";
	case COCM_EIO: return "EIO";
	case COCM_ETOOBIG: return "ETOOBIG";
	case COCM_EHTTP: return "EHTTP";
	case COCM_ENOTFOUND: return "ENOTFOUND";
	case COCM_ECONFLICT: return "ECONFLICT";
	case COCM_EEXIST: return "EEXIST";
	case COCM_EGONE: return "EGONE";
	case COCM_EINVALID: return "EINVALID";
	case COCM_ERETRY: return "ERETRY";
	case COCM_EAUTH: return "EAUTH";
	case COCM_ECANCELED: return "ECANCELED";
	case COCM_EPARSE: return "EPARSE";
	case COCM_ESTATE: return "ESTATE";
	}
	return "EUNKNOWN";
}

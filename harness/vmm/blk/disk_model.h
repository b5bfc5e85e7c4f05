/*
 * A disk's device model (issue 15): when the host hands each request's completion to the
 * guest, so that a run measures a disk of a known speed rather than the host's. The real
 * I/O is still done on the backing file at once; the model only holds its completion
 * until the model's due time (docs/DISK_MODELS.md has the rules and their formulas).
 *
 * Every model is one pipeline. A request first holds the device's serial stage, one
 * request at a time in arrival order: for 1e9/iops ns or its bytes at rate=, whichever
 * is longer (the plain model and profile=ssd), or for its head positioning plus its
 * bytes at the media rate (profile=hdd). It then spends lat= in the service stage, on one
 * of channels= (unlimited unless given). A flush waits for every request before it, then
 * holds the serial stage for flush= when writes came since the previous flush.
 */
#ifndef VMM_DISK_MODEL_H
#define VMM_DISK_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum disk_profile { DISK_PROFILE_NONE, DISK_PROFILE_HDD, DISK_PROFILE_SSD };

#define DISK_MODEL_CHANNELS_MAX 256

/* Which parameters the user gave (the rest are the profile's defaults). */
enum {
	DM_RATE = 1u << 0,
	DM_IOPS = 1u << 1,
	DM_LAT = 1u << 2,
	DM_CHANNELS = 1u << 3,
	DM_RPM = 1u << 4,
	DM_SEEK = 1u << 5,
	DM_SEEK_MIN = 1u << 6,
	DM_SEEK_MAX = 1u << 7,
	DM_CAPACITY = 1u << 8,
	DM_FLUSH = 1u << 9,
	DM_PROFILE = 1u << 10,
};

struct disk_model {
	enum disk_profile profile;
	unsigned given; /* DM_* */
	uint64_t rate; /* bytes/s through the serial stage (hdd: the media rate); 0: no limit */
	uint64_t iops; /* requests/s through the serial stage; 0: no limit */
	uint64_t lat_ns; /* each request's time in the service stage */
	unsigned channels; /* requests in the service stage at once; 0: unlimited */
	unsigned rpm; /* hdd */
	uint64_t seek_min_ns, seek_ns, seek_max_ns; /* hdd: track to track, average, full stroke */
	uint64_t capacity; /* hdd: the bytes a full stroke crosses; 0: the image's size (until resolved) */
	uint64_t flush_ns; /* a flush after writes holds the serial stage this long */
};

/* Whether the model changes anything (a disk without one completes at once). */
bool disk_model_active(const struct disk_model *m);

/* Parses one --disk part that is a model parameter (key of klen bytes, value v, NULL
 * when the part has no '='). 1: not a model key; 0: taken; -1: err names the cause. */
int disk_model_parse_part(struct disk_model *m, const char *key, size_t klen, const char *v, char *err,
			  size_t errlen);
/* After every part: refuses parameters that contradict each other or the profile, and
 * fills in the profile's defaults (all but an unset capacity: see disk_model_resolve). */
int disk_model_finish(struct disk_model *m, char *err, size_t errlen);
/* Fills in the capacity from the image's size (bytes); refuses a capacity smaller than
 * the image. */
int disk_model_resolve(struct disk_model *m, uint64_t image_bytes, char *err, size_t errlen);

/* The model as --disk parts that give it back ("profile=hdd,rpm=7200,..."), every
 * parameter that applies, defaults included; "" for no model. capacity=image when it
 * is the image's size and not resolved yet. */
const char *disk_model_text(const struct disk_model *m, char *buf, size_t len);
const char *disk_profile_name(enum disk_profile p);

/* The model's arithmetic, for the scheduler and the tests. ns for a transfer of bytes at
 * rate (0 without a rate). */
uint64_t disk_model_transfer_ns(const struct disk_model *m, uint64_t bytes);
/* hdd: a seek across distance bytes (0 for none): seek_min + (seek_max - seek_min)
 * sqrt(distance / capacity). */
uint64_t disk_model_seek_ns(const struct disk_model *m, uint64_t distance);
/* hdd: from the head at byte head to a request at byte offset: 0 when sequential; a short
 * forward gap costs the time it takes to pass under the head, if that is less than a
 * seek; otherwise a seek and half a revolution. */
uint64_t disk_model_position_ns(const struct disk_model *m, uint64_t head, uint64_t offset);
/* hdd: one revolution at rpm. */
uint64_t disk_model_revolution_ns(const struct disk_model *m);
#endif

/*
 * The journal's on-disk format (include/linux/jbd2.h), as mkfs.ext3 makes it (a
 * version 2 journal superblock, no journal features: 32-bit block numbers, no
 * checksums) and as the guest writes it: descriptor blocks whose tags name the home
 * blocks of the copies that follow, commit blocks that close a transaction, revoke
 * blocks. Every field is big-endian. Pure declarations and the arithmetic of
 * recovery's passes (guest/fs/jbd2/recovery_scan.c), which host unit tests compile.
 */
#ifndef FS_JBD2_FS_H
#define FS_JBD2_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JBD2_MAGIC_NUMBER 0xc03b3998u

enum {
	JBD2_DESCRIPTOR_BLOCK = 1,
	JBD2_COMMIT_BLOCK = 2,
	JBD2_SUPERBLOCK_V1 = 3,
	JBD2_SUPERBLOCK_V2 = 4,
	JBD2_REVOKE_BLOCK = 5,
};

/* a tag's flags */
#define JBD2_FLAG_ESCAPE 1 /* the block began with the magic number: it was zeroed in the log */
#define JBD2_FLAG_SAME_UUID 2 /* no UUID follows the tag (all but the first of a descriptor) */
#define JBD2_FLAG_DELETED 4
#define JBD2_FLAG_LAST_TAG 8

typedef struct journal_header_s {
	uint32_t h_magic;
	uint32_t h_blocktype;
	uint32_t h_sequence;
} journal_header_t;

/* journal_block_tag_t without the 64bit and csum features: 8 bytes */
typedef struct journal_block_tag_s {
	uint32_t t_blocknr;
	uint16_t t_checksum;
	uint16_t t_flags;
} journal_block_tag_t;
#define JBD2_TAG_SIZE 8
#define JBD2_UUID_SIZE 16

typedef struct jbd2_journal_revoke_header_s {
	journal_header_t r_header;
	uint32_t r_count; /* bytes used in the block, this header included */
} jbd2_journal_revoke_header_t;

typedef struct journal_superblock_s {
	journal_header_t s_header;
	/* static: */
	uint32_t s_blocksize;
	uint32_t s_maxlen; /* blocks in the journal */
	uint32_t s_first; /* the first block of log information */
	/* dynamic: */
	uint32_t s_sequence; /* the first commit ID expected in the log */
	uint32_t s_start; /* the block where the log starts; 0: the journal is clean */
	int32_t s_errno;
	/* version 2 */
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	uint32_t s_nr_users;
	uint32_t s_dynsuper;
	uint32_t s_max_transaction;
	uint32_t s_max_trans_data;
	uint8_t s_checksum_type;
	uint8_t s_padding2[3];
	uint32_t s_num_fc_blks;
	uint32_t s_head;
	uint32_t s_padding[40];
	uint32_t s_checksum;
	uint8_t s_users[16 * 48];
} journal_superblock_t;
_Static_assert(offsetof(journal_superblock_t, s_feature_compat) == 0x24, "s_feature_compat");
_Static_assert(offsetof(journal_superblock_t, s_uuid) == 0x30, "s_uuid");

static inline uint32_t be32_to_cpu(uint32_t v)
{
	return __builtin_bswap32(v);
}
static inline uint32_t cpu_to_be32(uint32_t v)
{
	return __builtin_bswap32(v);
}
static inline uint16_t be16_to_cpu(uint16_t v)
{
	return __builtin_bswap16(v);
}
static inline uint16_t cpu_to_be16(uint16_t v)
{
	return __builtin_bswap16(v);
}

/* tid_gt: commit IDs wrap; a is later than b (tid_gt of jbd2.h). */
static inline bool tid_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/*
 * jbd2_journal_superblock_check (load_superblock): a version 2 superblock of a journal
 * of `blocks` blocks of 4 KiB with no features this guest cannot write. NULL or why.
 */
const char *jbd2_superblock_check(const journal_superblock_t *sb, uint32_t blocks);

/*
 * One descriptor block's tags, in order: the home block and flags of each (the log
 * blocks that hold the copies follow the descriptor in the same order). Returns the
 * tags found (at most max), or -1 when the block is not a sane descriptor.
 */
struct jbd2_tag {
	uint32_t blocknr;
	uint16_t flags;
};
int jbd2_descriptor_tags(const void *block, uint32_t block_size, struct jbd2_tag *tags, int max);

/*
 * Where the next descriptor's tags go in a block being filled (the first tag carries
 * the UUID after it): the offset of tag n, and whether n + 1 tags fit.
 */
uint32_t jbd2_tag_offset(int n);
bool jbd2_tags_fit(int n, uint32_t block_size);

/* A revoke block's block numbers: count found (at most max), -1 when it is not sane. */
int jbd2_revoke_records(const void *block, uint32_t block_size, uint32_t *blocks, int max);
#endif

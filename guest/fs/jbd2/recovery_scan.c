/*
 * Reading the journal's blocks (fs/jbd2/journal.c's load_superblock, recovery.c's
 * count_tags and scan_revoke_records): pure, so that host unit tests compile this file
 * as is. Sizes and offsets are checked before anything is read: the log is input.
 */
#include "../../include/fs/jbd2_fs.h"

#define JBD2_BLOCK_SIZE 4096u

const char *jbd2_superblock_check(const journal_superblock_t *sb, uint32_t blocks)
{
	if (be32_to_cpu(sb->s_header.h_magic) != JBD2_MAGIC_NUMBER)
		return "no journal superblock (bad magic)";
	if (be32_to_cpu(sb->s_header.h_blocktype) != JBD2_SUPERBLOCK_V2)
		return "not a version 2 journal superblock";
	if (be32_to_cpu(sb->s_blocksize) != JBD2_BLOCK_SIZE)
		return "journal block size is not 4096";
	uint32_t maxlen = be32_to_cpu(sb->s_maxlen), first = be32_to_cpu(sb->s_first);
	if (maxlen < 1024 || maxlen > blocks)
		return "journal length out of range (1024 blocks at least, within the journal inode)";
	if (first == 0 || first >= maxlen)
		return "journal's first log block out of range";
	uint32_t start = be32_to_cpu(sb->s_start);
	if (start && (start < first || start >= maxlen))
		return "journal's log start out of range";
	if (sb->s_feature_incompat || sb->s_feature_ro_compat)
		return "journal features this kernel cannot write (64bit, checksums, async commit...)";
	return (void *)0;
}

uint32_t jbd2_tag_offset(int n)
{
	/* the header, the first tag and its UUID, then tags without one */
	return n == 0 ? sizeof(journal_header_t)
		      : (uint32_t)(sizeof(journal_header_t) + JBD2_TAG_SIZE + JBD2_UUID_SIZE + (uint32_t)(n - 1) * JBD2_TAG_SIZE);
}

bool jbd2_tags_fit(int n, uint32_t block_size)
{
	return jbd2_tag_offset(n) + JBD2_TAG_SIZE + (n == 0 ? JBD2_UUID_SIZE : 0) <= block_size;
}

int jbd2_descriptor_tags(const void *block, uint32_t block_size, struct jbd2_tag *tags, int max)
{
	const uint8_t *b = block;
	const journal_header_t *h = block;
	uint32_t off = sizeof(journal_header_t);
	int n = 0;

	if (be32_to_cpu(h->h_magic) != JBD2_MAGIC_NUMBER || be32_to_cpu(h->h_blocktype) != JBD2_DESCRIPTOR_BLOCK)
		return -1;
	while (off + JBD2_TAG_SIZE <= block_size) {
		const journal_block_tag_t *t = (const void *)(b + off);
		uint16_t flags = be16_to_cpu(t->t_flags);
		if (n == max)
			return -1; /* more tags than the caller's log window holds: not sane */
		tags[n].blocknr = be32_to_cpu(t->t_blocknr);
		tags[n].flags = flags;
		n++;
		off += JBD2_TAG_SIZE;
		if (!(flags & JBD2_FLAG_SAME_UUID))
			off += JBD2_UUID_SIZE;
		if (flags & JBD2_FLAG_LAST_TAG)
			return n;
	}
	return n ? n : -1;
}

int jbd2_revoke_records(const void *block, uint32_t block_size, uint32_t *blocks, int max)
{
	const jbd2_journal_revoke_header_t *r = block;
	if (be32_to_cpu(r->r_header.h_magic) != JBD2_MAGIC_NUMBER ||
	    be32_to_cpu(r->r_header.h_blocktype) != JBD2_REVOKE_BLOCK)
		return -1;
	uint32_t count = be32_to_cpu(r->r_count);
	if (count < sizeof(*r) || count > block_size || (count - sizeof(*r)) % 4)
		return -1;
	int n = (int)((count - sizeof(*r)) / 4);
	if (n > max)
		return -1;
	const uint32_t *rec = (const uint32_t *)((const uint8_t *)block + sizeof(*r));
	for (int i = 0; i < n; i++)
		blocks[i] = be32_to_cpu(rec[i]);
	return n;
}

/* gnuplot as a child process: script on a pipe, stderr into a temporary file (read
 * once it has exited, so neither side can block on a full pipe). */
#include "report/gnuplot.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"

extern char **environ;

#define SVG_TERMINAL "svg size 800,500 fixed noenhanced font 'Sans,12' background rgb 'white'"
#define PDF_TERMINAL "pdfcairo size 8in,5in noenhanced font 'Sans,10'"
_Static_assert(FIGURE_WIDTH == 800 && FIGURE_HEIGHT == 500, "the terminals' sizes");

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* EPIPE: gnuplot has exited; its status says why */
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Whether every non-empty line of gnuplot's stderr is its complaint about the key's titles. */
static bool only_key_layout_warnings(const char *msg)
{
	bool any = false;
	for (const char *line = msg; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[300];
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		if (len && strspn(buf, " \t") != len) {
			if (!strstr(buf, "difficulty fitting plot titles into key"))
				return false;
			any = true;
		}
		line = end ? end + 1 : line + len;
	}
	return any;
}

/* what names the figure in errors. SIGPIPE must be ignored (report_cmd.c does). */
static int gnuplot_run(const char *script, const char *what, char *err, size_t errlen)
{
	char *argv[] = { "gnuplot", "-d", NULL }; /* -d: no ~/.gnuplot to change the figures */
	int in[2], status = 0, rc;
	pid_t pid;
	FILE *errf = tmpfile();
	if (!errf)
		return errorf(err, errlen, "gnuplot: a temporary file for its stderr: %s", strerror(errno));
	if (pipe2(in, O_CLOEXEC)) {
		fclose(errf);
		return errorf(err, errlen, "gnuplot: pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(errf), 2);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	if (rc) {
		close(in[1]);
		fclose(errf);
		if (rc == ENOENT)
			return errorf(err, errlen,
				      "gnuplot is not installed (apt-get install gnuplot-nox, or make deps)");
		return errorf(err, errlen, "gnuplot: cannot start it: %s", strerror(rc));
	}
	write_all(in[1], script, strlen(script));
	close(in[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	char msg[1200];
	size_t n;
	rewind(errf);
	n = fread(msg, 1, sizeof(msg) - 1, errf);
	fclose(errf);
	msg[n] = '\0';
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !n)
		return 0;
	/* Warnings about the key's layout only: the figure is drawn, the titles cramped. Said,
	 * not fatal (many long point names in one key bring it). */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && only_key_layout_warnings(msg)) {
		fprintf(stderr, "vmsweep: gnuplot (%s): %s\n", what, msg);
		return 0;
	}
	if (WIFSIGNALED(status))
		return errorf(err, errlen, "gnuplot (%s): killed by signal %d%s%s", what, WTERMSIG(status),
			      n ? ": " : "", msg);
	if (WEXITSTATUS(status))
		return errorf(err, errlen, "gnuplot (%s): exit status %d: %s", what, WEXITSTATUS(status),
			      n ? msg : "(nothing on stderr)");
	return errorf(err, errlen, "gnuplot (%s) warned: %s", what, msg);
}

int gnuplot_probe(struct gnuplot *g, char *err, size_t errlen)
{
	char why[600];
	if (gnuplot_run("set terminal " SVG_TERMINAL "\n", "svg terminal", err, errlen))
		return -1;
	g->pdf = !gnuplot_run("set terminal " PDF_TERMINAL "\n", "pdfcairo", why, sizeof(why));
	snprintf(g->png_terminal, sizeof(g->png_terminal), "pngcairo size 800,500 noenhanced font 'Sans,10'");
	if (!gnuplot_run("set terminal pngcairo size 800,500 noenhanced font 'Sans,10'\n", "pngcairo", why,
			 sizeof(why)))
		return 0;
	/* libgd's png: no cairo (a minimal gnuplot build); its own font. */
	snprintf(g->png_terminal, sizeof(g->png_terminal), "png size 800,500 noenhanced");
	if (gnuplot_run("set terminal png size 800,500 noenhanced\n", "png", err, errlen))
		return errorf(err, errlen, "gnuplot has neither the pngcairo terminal (%s) nor png", why);
	return 0;
}

void gnuplot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
	fputc('\'', f);
}

static int file_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st))
		return errorf(err, errlen, "gnuplot wrote no %s: %s", path, strerror(errno));
	if (st.st_size == 0)
		return errorf(err, errlen, "gnuplot left %s empty", path);
	return 0;
}

/* dir/name.gp: the script that draws name.pdf in dir, body's 'dir/...' paths as '...'. */
static int script_keep(const char *dir, const char *name, const char *body, char *err, size_t errlen)
{
	char path[4096], prefix[4096];
	snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
	snprintf(prefix, sizeof(prefix), "'%s/", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	fprintf(f, "# %s: run in this directory, `gnuplot %s.gp`, to draw %s.pdf from its data again\n"
		   "set terminal " PDF_TERMINAL "\nset output '%s.pdf'\n",
		name, name, name, name);
	for (const char *p = body; *p;) {
		if (!strncmp(p, prefix, strlen(prefix))) {
			fputc('\'', f);
			p += strlen(prefix);
		} else {
			fputc(*p++, f);
		}
	}
	fputs("\nunset output\n", f);
	if (ferror(f) | fclose(f))
		return errorf(err, errlen, "%s: write error", path);
	return 0;
}

int gnuplot_figure(const struct gnuplot *g, const char *dir, const char *name, const char *body, char *err,
		   size_t errlen)
{
	char *script = NULL, svg[4096], png[4096], pdf[4096];
	size_t len = 0;
	if ((size_t)snprintf(svg, sizeof(svg), "%s/%s.svg", dir, name) >= sizeof(svg) ||
	    (size_t)snprintf(png, sizeof(png), "%s/%s.png", dir, name) >= sizeof(png) ||
	    (size_t)snprintf(pdf, sizeof(pdf), "%s/%s.pdf", dir, name) >= sizeof(pdf))
		return errorf(err, errlen, "%s/%s: path too long", dir, name);
	FILE *f = open_memstream(&script, &len);
	if (!f)
		return errorf(err, errlen, "out of memory");
	fputs("set terminal " SVG_TERMINAL "\nset output ", f);
	gnuplot_quote(f, svg);
	fprintf(f, "\n%s\nset terminal %s\nset output ", body, g->png_terminal);
	gnuplot_quote(f, png);
	fputs("\nreplot\n", f);
	if (g->pdf) {
		fputs("set terminal " PDF_TERMINAL "\nset output ", f);
		gnuplot_quote(f, pdf);
		fputs("\nreplot\n", f);
	}
	fputs("unset output\n", f);
	if (fclose(f)) {
		free(script);
		return errorf(err, errlen, "out of memory");
	}
	int r = gnuplot_run(script, name, err, errlen);
	free(script);
	if (r)
		return -1;
	if (file_check(svg, err, errlen) || file_check(png, err, errlen) || (g->pdf && file_check(pdf, err, errlen)))
		return -1;
	return script_keep(dir, name, body, err, errlen);
}

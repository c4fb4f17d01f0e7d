/* devargs oracle: feeds each stdin line to DPDK's rte_devargs_parse() and prints one JSON object per line,
 * in the same format as `EalInfo -- --parse-devargs`:
 *   {"in":...,"ok":true|false,"bus":...,"name":...,"args":...,"class":...,"error":...}
 * Written for this project; built against the distribution's DPDK by compare.sh.
 * `oracle --buses` prints the registered buses and classes instead.
 * EAL is deliberately not initialised: buses, classes and vdev drivers register from library constructors,
 * which is all rte_devargs_parse needs, while rte_eal_init would also load every PMD in the plugin directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_class.h>
#include <rte_devargs.h>
#include <rte_log.h>

static void put_json_string(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case E2BIG: return "E2BIG";
	case ENOMEM: return "ENOMEM";
	case ENODEV: return "ENODEV";
	default: return "E?";
	}
}

/* The last non-empty line DPDK logged while parsing, without its trailing newline. */
static void last_log_line(char *log, char *out, size_t outlen)
{
	char *last = NULL;
	for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (*line != '\0')
			last = line;
	snprintf(out, outlen, "%s", last != NULL ? last : "");
}

static int bus_any(const struct rte_bus *bus, const void *data)
{
	(void)bus;
	(void)data;
	return 0;
}

static int class_any(const struct rte_class *cls, const void *data)
{
	(void)cls;
	(void)data;
	return 0;
}

static void list_buses(void)
{
	const struct rte_bus *bus = NULL;
	const struct rte_class *cls = NULL;

	fputs("buses:", stdout);
	while ((bus = rte_bus_find(bus, bus_any, NULL)) != NULL)
		printf(" %s", rte_bus_name(bus));
	fputs("\nclasses:", stdout);
	while ((cls = rte_class_find(cls, class_any, NULL)) != NULL)
		printf(" %s", cls->name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (argc > 1 && strcmp(argv[1], "--buses") == 0) {
		list_buses();
		return 0;
	}

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		struct rte_devargs da;
		char *log = NULL;
		size_t loglen = 0;
		FILE *logf;
		int ret;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';

		logf = open_memstream(&log, &loglen);
		if (logf == NULL) {
			perror("open_memstream");
			return 1;
		}
		rte_openlog_stream(logf);
		memset(&da, 0, sizeof(da));
		ret = rte_devargs_parse(&da, line);
		rte_openlog_stream(NULL);
		fclose(logf);

		fputs("{\"in\":", stdout);
		put_json_string(line);
		if (ret == 0) {
			fputs(",\"ok\":true,\"bus\":", stdout);
			put_json_string(da.bus != NULL ? rte_bus_name(da.bus) : NULL);
			fputs(",\"name\":", stdout);
			put_json_string(da.name);
			fputs(",\"args\":", stdout);
			put_json_string(da.args);
			fputs(",\"class\":", stdout);
			put_json_string(da.cls != NULL ? da.cls->name : NULL);
			fputs(",\"error\":null}\n", stdout);
		} else {
			char msg[512];
			char err[600];

			last_log_line(log, msg, sizeof(msg));
			snprintf(err, sizeof(err), "%s%s%s", errno_name(-ret), *msg != '\0' ? ": " : "", msg);
			fputs(",\"ok\":false,\"bus\":null,\"name\":null,\"args\":null,\"class\":null,\"error\":", stdout);
			put_json_string(err);
			fputs("}\n", stdout);
		}
		rte_devargs_reset(&da);
		free(log);
	}
	free(line);
	return 0;
}

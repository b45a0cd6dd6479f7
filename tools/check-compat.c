// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * check-compat: does a BPF object also load on Linux 4.19?
 *
 * XCP-ng 8.2/8.3 and XenServer 8 run a 4.19 dom0, which we cannot boot
 * here, so the rules its verifier enforces are checked on the object
 * itself:
 *   - no loops (4.19 rejects every back-edge; bounded loops came in 5.3),
 *   - no global data sections (.data, .rodata, .bss: 5.2),
 *   - at most 4096 instructions per program (BPF_MAXINSNS before 5.2),
 *   - helpers 1..83 only (84, bpf_sk_lookup_tcp, is 4.20),
 *   - map types up to BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (20),
 *   - no JMP32 class (5.1) nor other instructions of later ISAs,
 *   - BPF-to-BPF subprograms (.text functions, Linux 4.16) are held to the
 *     same rules, and each program's count includes those it calls, as
 *     libbpf appends them to it.
 * Then, unless --static, the object is loaded on the running kernel and
 * the verifier's figures are printed.
 *
 * Usage: check-compat [--static] [--quiet] OBJECT
 * Exit: 0 the object passes, 1 it does not, 2 usage or I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_INSNS_419		4096
#define MAX_HELPER_419		83	/* BPF_FUNC_skb_ancestor_cgroup_id */
#define MAX_MAP_TYPE_419	20	/* BPF_MAP_TYPE_REUSEPORT_SOCKARRAY */

#ifndef BPF_JMP32
#define BPF_JMP32		0x06
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL	2
#endif
#define BPF_MODE_MEMSX		0x80	/* sign-extending loads (cpu v4) */
#define BPF_MODE_ATOMIC		0xc0	/* BPF_XADD, later BPF_ATOMIC */

/* Helper names by id, from the UAPI header's own list. */
#define VG_HELPER_NAME(x) #x
static const char *const helper_names[] = {
	__BPF_FUNC_MAPPER(VG_HELPER_NAME)
};
#undef VG_HELPER_NAME
#define N_HELPER_NAMES (sizeof(helper_names) / sizeof(helper_names[0]))

static int failures;
static bool quiet;

static void fail(const char *rule, const char *fmt, ...)
{
	va_list ap;

	printf("check-compat: FAIL: %s: ", rule);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures++;
}

static void info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static const char *helper_name(int id)
{
	return id >= 0 && (size_t)id < N_HELPER_NAMES ? helper_names[id] : "?";
}

/* Sections that hold no global data: code, maps, license, metadata. */
static bool section_allowed(const char *name, const GElf_Shdr *sh)
{
	static const char *const ok[] = {
		"license", "version", ".maps", "maps",
	};

	if (!(sh->sh_flags & SHF_ALLOC))
		return true;	/* BTF, symbols, debug info, relocations */
	if (sh->sh_flags & SHF_EXECINSTR)
		return true;	/* programs; .text is judged separately */
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(name, ok[i]))
			return true;
	return false;
}

/* The object's .text functions (subprograms), their instructions, and
 * the relocations of calls from program sections into .text. */
struct subfn {
	char name[64];
	size_t off, cnt;	/* in instructions, within .text */
	bool used;		/* called by the program being checked */
};

struct call_reloc {
	char sec[64];		/* program section */
	size_t off;		/* byte offset of the call in it */
	size_t target;		/* symbol value in .text, bytes */
};

static struct bpf_insn *text;
static size_t text_cnt;
static struct subfn *fns;
static size_t n_fns;
static struct call_reloc *relocs;
static size_t n_relocs;
/* Program symbols: name, section and offset, to place a program's calls. */
struct prog_sym {
	char name[64], sec[64];
	size_t off;
};
static struct prog_sym *psyms;
static size_t n_psyms;

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (!p) {
		fprintf(stderr, "check-compat: out of memory\n");
		exit(2);
	}
	return p;
}

/* Symbols and relocations: what check_program() needs to follow calls. */
static void collect_text(Elf *elf, size_t shstrndx)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	size_t text_idx = 0;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB)
			symscn = scn;
		if (name && !strcmp(name, ".text") && sh.sh_size) {
			Elf_Data *d = elf_getdata(scn, NULL);

			text_idx = elf_ndxscn(scn);
			if (d && d->d_size) {
				text = malloc(d->d_size);
				if (!text) {
					fprintf(stderr, "check-compat: out of memory\n");
					exit(2);
				}
				memcpy(text, d->d_buf, d->d_size);
				text_cnt = d->d_size / sizeof(*text);
			}
		}
	}
	if (!symscn)
		return;
	gelf_getshdr(symscn, &sh);
	Elf_Data *syms = elf_getdata(symscn, NULL);
	size_t nsym = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0, strndx = sh.sh_link;

	for (size_t i = 0; syms && i < nsym; i++) {
		GElf_Sym sym;
		const char *name;
		Elf_Scn *in;
		GElf_Shdr insh;

		if (!gelf_getsym(syms, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(elf, strndx, sym.st_name);
		in = elf_getscn(elf, sym.st_shndx);
		if (!name || !in || !gelf_getshdr(in, &insh))
			continue;
		if (text_idx && sym.st_shndx == text_idx) {
			fns = grow(fns, n_fns, sizeof(*fns));
			snprintf(fns[n_fns].name, sizeof(fns[n_fns].name), "%s", name);
			fns[n_fns].off = sym.st_value / sizeof(struct bpf_insn);
			fns[n_fns].cnt = sym.st_size / sizeof(struct bpf_insn);
			fns[n_fns].used = false;
			n_fns++;
		} else {
			const char *sec = elf_strptr(elf, shstrndx, insh.sh_name);

			psyms = grow(psyms, n_psyms, sizeof(*psyms));
			snprintf(psyms[n_psyms].name, sizeof(psyms[n_psyms].name), "%s", name);
			snprintf(psyms[n_psyms].sec, sizeof(psyms[n_psyms].sec), "%s", sec ? sec : "");
			psyms[n_psyms].off = sym.st_value;
			n_psyms++;
		}
	}
	scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr tsh;
		Elf_Data *rel;
		const char *tname;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL)
			continue;
		if (!gelf_getshdr(elf_getscn(elf, sh.sh_info), &tsh))
			continue;
		tname = elf_strptr(elf, shstrndx, tsh.sh_name);
		rel = elf_getdata(scn, NULL);
		for (size_t i = 0; rel && tname && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rel r;
			GElf_Sym sym;

			if (!gelf_getrel(rel, (int)i, &r) ||
			    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym) ||
			    !text_idx || sym.st_shndx != text_idx)
				continue;
			relocs = grow(relocs, n_relocs, sizeof(*relocs));
			snprintf(relocs[n_relocs].sec, sizeof(relocs[n_relocs].sec), "%s", tname);
			relocs[n_relocs].off = r.r_offset;
			relocs[n_relocs].target = sym.st_value;
			n_relocs++;
		}
	}
}

/* The .text function that starts at instruction t, or NULL. */
static struct subfn *fn_at(size_t t)
{
	for (size_t i = 0; i < n_fns; i++)
		if (fns[i].off == t)
			return &fns[i];
	return NULL;
}

static int check_sections(const char *path)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, ret = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "check-compat: %s: %s\n", path, strerror(errno));
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		fprintf(stderr, "check-compat: %s: not an ELF object: %s\n",
			path, elf_errmsg(-1));
		ret = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!section_allowed(name, &sh))
			fail("global-data",
			     "section %s (%llu bytes): global variables and constant tables need Linux 5.2",
			     name, (unsigned long long)sh.sh_size);
	}
	collect_text(elf, shstrndx);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

enum { WHITE, GREY, BLACK };

/*
 * The same depth-first walk as the 4.19 verifier's check_cfg(): an edge
 * to an instruction still on the stack is a loop.  A jump backwards to
 * code that never comes back is not (clang places shared exit blocks
 * anywhere).  Returns the number of back-edges found.
 */
static int find_loops(const struct bpf_insn *insn, size_t cnt, const char *prog)
{
	int *color = calloc(cnt, sizeof(*color));
	int *stack = calloc(cnt + 1, sizeof(*stack));
	int *next = calloc(cnt, sizeof(*next));	/* edges tried so far */
	int sp = 0, loops = 0;

	if (!color || !stack || !next) {
		fprintf(stderr, "check-compat: out of memory\n");
		exit(2);
	}
	stack[sp++] = 0;
	color[0] = GREY;
	while (sp) {
		int i = stack[sp - 1];
		__u8 code = insn[i].code, cls = code & 0x07, op = code & 0xf0;
		int succ[2], n = 0, w = -1;

		if (cls == BPF_JMP && op == BPF_EXIT) {
			n = 0;
		} else if (cls == BPF_JMP && op == BPF_JA) {
			succ[n++] = i + 1 + insn[i].off;
		} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL) {
			succ[n++] = i + 1;
			succ[n++] = i + 1 + insn[i].off;
		} else if (code == (BPF_LD | BPF_IMM | BPF_DW)) {
			succ[n++] = i + 2;
		} else {
			succ[n++] = i + 1;
		}
		while (next[i] < n) {
			int t = succ[next[i]++];

			if (t < 0 || (size_t)t >= cnt) {
				fail("jump", "%s: insn %d jumps out of the program (to %d)",
				     prog, i, t);
				continue;
			}
			if (color[t] == GREY) {
				fail("loop", "%s: back-edge from insn %d to insn %d (4.19 has no bounded loops)",
				     prog, i, t);
				loops++;
			} else if (color[t] == WHITE) {
				w = t;
				break;
			}
		}
		if (w >= 0) {
			color[w] = GREY;
			stack[sp++] = w;
		} else {
			color[i] = BLACK;
			sp--;
		}
	}
	free(color);
	free(stack);
	free(next);
	return loops;
}

/* The call target of a BPF-to-BPF call at insn i of code placed at byte
 * off of section sec (base: its first instruction's index in .text when
 * sec is .text), as an instruction index in .text; -1 if unknown. */
static long call_target(const char *sec, size_t off, long base, size_t i,
			const struct bpf_insn *insn)
{
	for (size_t r = 0; r < n_relocs; r++)
		if (!strcmp(relocs[r].sec, sec) && relocs[r].off == off + i * sizeof(*insn))
			return (long)(relocs[r].target / sizeof(*insn)) + insn[i].imm + 1;
	return base < 0 ? -1 : base + (long)i + 1 + insn[i].imm;
}

/*
 * The rules for one stretch of code: a program (sec, off: where it sits;
 * base -1) or a .text function (base its first instruction).  The
 * subprograms it calls are marked used and checked in turn.  Returns the
 * instructions it and the functions it first reached add.
 */
static size_t check_code(const struct bpf_insn *insn, size_t cnt, const char *name,
			 const char *sec, size_t off, long base, unsigned int *calls,
			 size_t *backward)
{
	size_t added = cnt;

	for (size_t i = 0; i < cnt; i++) {
		__u8 code = insn[i].code, cls = code & 0x07, op = code & 0xf0;

		if (code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;	/* second half of the 16-byte load */
			continue;
		}
		if (cls == BPF_JMP32) {
			fail("jmp32", "%s: insn %zu is a JMP32 instruction (Linux 5.1; build with -mcpu=v2)",
			     name, i);
			continue;
		}
		if (cls == BPF_LDX && (code & 0xe0) == BPF_MODE_MEMSX) {
			fail("insn", "%s: insn %zu is a sign-extending load (cpu v4)", name, i);
			continue;
		}
		if (cls == BPF_STX && (code & 0xe0) == BPF_MODE_ATOMIC && insn[i].imm != BPF_ADD) {
			fail("insn", "%s: insn %zu is an atomic operation other than add (Linux 5.12)",
			     name, i);
			continue;
		}
		if (cls == BPF_ALU && (code & 0xf0) == BPF_ARSH) {
			fail("insn", "%s: insn %zu is a 32-bit arithmetic shift (Linux 5.0)",
			     name, i);
			continue;
		}
		if ((cls == BPF_ALU || cls == BPF_ALU64) && insn[i].off != 0) {
			fail("insn", "%s: insn %zu is a signed or sign-extending ALU operation (cpu v4)",
			     name, i);
			continue;
		}
		if (cls != BPF_JMP)
			continue;
		if (op == BPF_CALL) {
			if (insn[i].src_reg == BPF_PSEUDO_CALL) {
				long t = call_target(sec, off, base, i, insn);
				struct subfn *f = t < 0 ? NULL : fn_at((size_t)t);

				if (!f) {
					fail("subprogram", "%s: insn %zu calls no function of .text",
					     name, i);
				} else if (!f->used) {
					f->used = true;
					info("  calls %s: %zu instructions\n", f->name, f->cnt);
					added += check_code(text + f->off, f->cnt, f->name, ".text",
							    f->off * sizeof(*insn), (long)f->off,
							    calls, backward);
				}
			} else if (insn[i].src_reg == BPF_PSEUDO_KFUNC_CALL) {
				fail("helper", "%s: insn %zu calls a kernel function (kfunc, Linux 5.13)",
				     name, i);
			} else if (insn[i].imm < 1 || insn[i].imm > MAX_HELPER_419) {
				fail("helper", "%s: insn %zu calls helper %d (%s), 4.19 has 1..%d",
				     name, i, insn[i].imm, helper_name(insn[i].imm),
				     MAX_HELPER_419);
			} else {
				calls[insn[i].imm]++;
			}
		} else if (op != BPF_EXIT && insn[i].off < 0) {
			(*backward)++;
		}
	}
	find_loops(insn, cnt, name);
	return added;
}

static void check_program(struct bpf_program *prog)
{
	const struct bpf_insn *insn = bpf_program__insns(prog);
	size_t cnt = bpf_program__insn_cnt(prog), total, backward = 0, off = 0;
	const char *name = bpf_program__name(prog);
	const char *sec = bpf_program__section_name(prog);
	unsigned int calls[256] = { 0 };

	for (size_t i = 0; i < n_fns; i++)
		fns[i].used = false;
	for (size_t i = 0; i < n_psyms; i++)
		if (!strcmp(psyms[i].name, name) && !strcmp(psyms[i].sec, sec))
			off = psyms[i].off;
	info("  program %s (section %s): %zu instructions\n", name, sec, cnt);
	total = check_code(insn, cnt, name, sec, off, -1, calls, &backward);
	info("  %s with its subprograms: %zu instructions (4.19 limit %d)\n", name, total,
	     MAX_INSNS_419);
	if (total > MAX_INSNS_419)
		fail("insn-count", "%s: %zu instructions, 4.19 allows %d",
		     name, total, MAX_INSNS_419);

	info("  helpers:");
	for (int id = 0; id < 256; id++)
		if (calls[id])
			info(" %d %s (x%u)", id, helper_name(id), calls[id]);
	info("\n  backward jumps that close no loop: %zu\n", backward);
}

static void check_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	info("  maps:\n");
	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);
		const char *tname = libbpf_bpf_map_type_str(t);

		info("    %-12s %-16s %u entries, flags 0x%x\n", bpf_map__name(map),
		     tname ? tname : "?", bpf_map__max_entries(map),
		     bpf_map__map_flags(map));
		if (bpf_map__is_internal(map))
			fail("global-data", "map %s backs global data (Linux 5.2)",
			     bpf_map__name(map));
		if ((int)t > MAX_MAP_TYPE_419)
			fail("map-type", "map %s has type %d (%s), 4.19 has 1..%d",
			     bpf_map__name(map), t, tname ? tname : "?",
			     MAX_MAP_TYPE_419);
		if (t == BPF_MAP_TYPE_LPM_TRIE &&
		    !(bpf_map__map_flags(map) & BPF_F_NO_PREALLOC))
			fail("map-flags", "LPM trie %s lacks BPF_F_NO_PREALLOC",
			     bpf_map__name(map));
	}
}

static char *verifier_log;
#define VERIFIER_LOG_SIZE (16 << 20)

static int load_and_report(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct utsname u;
	int err;

	uname(&u);
	verifier_log = calloc(1, VERIFIER_LOG_SIZE);
	if (!verifier_log)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj) {
		/* Statistics only (BPF_LOG_STATS); level 1 on failure. */
		bpf_program__set_log_buf(prog, verifier_log, VERIFIER_LOG_SIZE);
		bpf_program__set_log_level(prog, 4);
	}
	err = bpf_object__load(obj);
	if (err) {
		fail("verifier", "the object does not load on this kernel (%s): %s",
		     u.release, strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(pi);
		const char *p;

		err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pi, &len);
		if (err) {
			fprintf(stderr, "check-compat: %s: prog info: %s\n",
				bpf_program__name(prog), strerror(-err));
			return err;
		}
		info("  verifier on this kernel (%s): %s loaded, %u xlated instructions, %u bytes jited",
		     u.release, bpf_program__name(prog),
		     pi.xlated_prog_len / 8, pi.jited_prog_len);
		if (pi.verified_insns)
			info(", %u instructions processed (4.19 limit 131072)",
			     pi.verified_insns);
		info("\n");
		p = strstr(verifier_log, "processed ");
		if (p && !quiet)
			printf("  verifier log: %.*s\n", (int)strcspn(p, "\n"), p);
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: check-compat [--static] [--quiet] OBJECT\n"
		"  --static  only the 4.19 rules, do not load\n"
		"  --quiet   print failures only\n");
	exit(2);
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	bool load = true;
	struct bpf_object *obj;
	struct bpf_program *prog;
	const char *path = NULL;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--static"))
			load = false;
		else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (argv[i][0] == '-' || path)
			usage();
		else
			path = argv[i];
	}
	if (!path)
		usage();
	libbpf_set_print(silent_print);

	info("check-compat: %s\n", path);
	if (check_sections(path))
		return 2;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		fprintf(stderr, "check-compat: %s: libbpf cannot open it: %s\n",
			path, strerror(-err));
		/* libbpf refuses some of what the section scan already
		 * rejected (e.g. merged constant sections). */
		if (failures) {
			printf("check-compat: %s: REJECTED\n", path);
			return 1;
		}
		return 2;
	}
	bpf_object__for_each_program(prog, obj)
		check_program(prog);
	check_maps(obj);
	info("  static rules for Linux 4.19: %s\n", failures ? "FAILED" : "ok");

	if (load && !failures)
		load_and_report(obj);
	bpf_object__close(obj);
	free(verifier_log);
	printf("check-compat: %s: %s\n", path, failures ? "REJECTED" : "OK");
	return failures ? 1 : 0;
}

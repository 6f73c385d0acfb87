/*
 * ggml-threadpool-shim: gives every llama.cpp context a persistent ggml thread pool, as llama-bench does.
 *
 * node-llama-cpp never calls llama_attach_threadpool, and its prebuilt binaries have no OpenMP, so with more than
 * one thread ggml creates and joins n - 1 helper threads for every graph it computes: one clone3 per generated
 * token. This library is preloaded into rigbench's inference worker (LD_PRELOAD, worker.threadPool in the agent's
 * config). It wraps llama_init_from_model to create a pool of max(n_threads, n_threads_batch) threads with ggml's
 * default parameters (poll 50, llama-bench's default) and attach it, and llama_free to free the pool after its
 * context. Nothing else changes: the same libllama and libggml compute the same graphs.
 *
 * The real functions are looked up in the libllama node-llama-cpp loaded (dlopen'ed with local scope, so
 * RTLD_NEXT cannot see it). When RIGBENCH_THREADPOOL_REPORT names a file, one line per attached or freed pool is
 * appended to it ("attached <threads> <poll>", "freed"), so the worker can record in the fingerprint what really
 * ran. Built by apps/agent/src/engine/threadpool-shim.ts against the headers of the bundled llama.cpp release:
 * llama_context_params is passed by value, so the headers must be that release's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "llama.h"

#define MAX_POOLS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *libllama;
static struct {
  struct llama_context *ctx;
  struct ggml_threadpool *pool;
} pools[MAX_POOLS];

static int find_libllama(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  (void)data;
  const char *base = strrchr(info->dlpi_name, '/');
  if (base == NULL || strncmp(base + 1, "libllama.", strlen("libllama.")) != 0) return 0;
  libllama = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
  return libllama != NULL;
}

static void *real(const char *name) {
  if (libllama == NULL) dl_iterate_phdr(find_libllama, NULL);
  void *fn = libllama ? dlsym(libllama, name) : NULL;
  if (fn == NULL) {
    fprintf(stderr, "ggml-threadpool-shim: %s not found in a loaded libllama\n", name);
    abort();
  }
  return fn;
}

static void report(const char *line) {
  const char *path = getenv("RIGBENCH_THREADPOOL_REPORT");
  if (path == NULL || path[0] == '\0') return;
  FILE *file = fopen(path, "a");
  if (file == NULL) return;
  fputs(line, file);
  fclose(file);
}

struct llama_context *llama_init_from_model(struct llama_model *model, struct llama_context_params params) {
  pthread_mutex_lock(&lock);
  typeof(llama_init_from_model) *init = real("llama_init_from_model");
  typeof(ggml_backend_reg_by_name) *reg_by_name = real("ggml_backend_reg_by_name");
  typeof(ggml_backend_reg_get_proc_address) *proc_address = real("ggml_backend_reg_get_proc_address");
  typeof(ggml_threadpool_params_default) *pool_defaults = real("ggml_threadpool_params_default");
  typeof(llama_attach_threadpool) *attach = real("llama_attach_threadpool");
  pthread_mutex_unlock(&lock);

  struct llama_context *ctx = init(model, params);
  if (ctx == NULL) return ctx;
  ggml_backend_reg_t cpu = reg_by_name("CPU");
  typeof(ggml_threadpool_new) *pool_new = cpu ? proc_address(cpu, "ggml_threadpool_new") : NULL;
  if (pool_new == NULL) {
    report("none no CPU backend with ggml_threadpool_new\n");
    return ctx;
  }
  int threads = params.n_threads > params.n_threads_batch ? params.n_threads : params.n_threads_batch;
  struct ggml_threadpool_params pool_params = pool_defaults(threads);
  struct ggml_threadpool *pool = pool_new(&pool_params);
  if (pool == NULL) {
    report("none ggml_threadpool_new failed\n");
    return ctx;
  }
  pthread_mutex_lock(&lock);
  int slot = -1;
  for (int i = 0; i < MAX_POOLS && slot < 0; i++)
    if (pools[i].ctx == NULL) slot = i;
  if (slot >= 0) {
    pools[slot].ctx = ctx;
    pools[slot].pool = pool;
  }
  pthread_mutex_unlock(&lock);
  if (slot < 0) {
    // More live contexts than slots: leave this one on ggml's per-graph threads rather than leak a pool.
    typeof(ggml_threadpool_free) *pool_free = proc_address(cpu, "ggml_threadpool_free");
    if (pool_free) pool_free(pool);
    report("none too many live contexts\n");
    return ctx;
  }
  attach(ctx, pool, NULL);
  char line[64];
  snprintf(line, sizeof line, "attached %d %u\n", threads, pool_params.poll);
  report(line);
  return ctx;
}

void llama_free(struct llama_context *ctx) {
  pthread_mutex_lock(&lock);
  typeof(llama_free) *free_context = real("llama_free");
  struct ggml_threadpool *pool = NULL;
  for (int i = 0; i < MAX_POOLS; i++)
    if (ctx != NULL && pools[i].ctx == ctx) {
      pool = pools[i].pool;
      pools[i].ctx = NULL;
      pools[i].pool = NULL;
    }
  pthread_mutex_unlock(&lock);
  free_context(ctx);
  if (pool == NULL) return;
  typeof(ggml_backend_reg_by_name) *reg_by_name = real("ggml_backend_reg_by_name");
  typeof(ggml_backend_reg_get_proc_address) *proc_address = real("ggml_backend_reg_get_proc_address");
  ggml_backend_reg_t cpu = reg_by_name("CPU");
  typeof(ggml_threadpool_free) *pool_free = cpu ? proc_address(cpu, "ggml_threadpool_free") : NULL;
  if (pool_free) pool_free(pool);
  report("freed\n");
}

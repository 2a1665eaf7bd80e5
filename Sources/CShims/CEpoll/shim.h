// Linux readiness APIs that Swift's Glibc module does not export: epoll and eventfd.
#ifndef ELASTIC_CEPOLL_SHIM_H
#define ELASTIC_CEPOLL_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

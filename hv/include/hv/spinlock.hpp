// SPDX-License-Identifier: GPL-2.0
// Ticket-free test-and-set spinlock on the compiler's atomics (inline LL/SC or LSE).
// Only used once the MMU (and so cacheable, coherent memory) is on.
#pragma once

namespace moat {
class SpinLock {
public:
    void lock()
    {
        while (__atomic_exchange_n(&locked_, 1, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED))
                ;
    }
    void unlock() { __atomic_store_n(&locked_, 0, __ATOMIC_RELEASE); }

private:
    int locked_ = 0;
};

class LockGuard {
public:
    explicit LockGuard(SpinLock &l) : l_(l) { l_.lock(); }
    ~LockGuard() { l_.unlock(); }
    LockGuard(const LockGuard &) = delete;
    LockGuard &operator=(const LockGuard &) = delete;

private:
    SpinLock &l_;
};
}  // namespace moat

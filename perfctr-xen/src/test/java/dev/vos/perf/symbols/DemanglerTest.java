package dev.vos.perf.symbols;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DemanglerTest {

    @Test
    void demangle_namesSeenInAJvmsStacks() {
        assertEquals("Thread::call_run", Demangler.demangle("_ZN6Thread8call_runEv"));
        assertEquals("thread_native_entry", Demangler.demangle("_ZL19thread_native_entryP6Thread"));
        assertEquals("JavaCalls::call_helper", Demangler.demangle(
                "_ZN9JavaCalls11call_helperEP9JavaValueRK12methodHandleP17JavaCallArgumentsP10JavaThread"));
        assertEquals("JavaThread::thread_main_inner", Demangler.demangle("_ZN10JavaThread17thread_main_innerEv"));
    }

    @Test
    void demangle_constructorsConstQualifiersTemplatesAndStd() {
        assertEquals("Foo::Foo", Demangler.demangle("_ZN3FooC2Ev"));
        assertEquals("Foo::~Foo", Demangler.demangle("_ZN3FooD1Ev"));
        assertEquals("Foo::size", Demangler.demangle("_ZNK3Foo4sizeEv"));
        assertEquals("GrowableArray::append", Demangler.demangle("_ZN13GrowableArrayIiE6appendERKi"));
        assertEquals("std::terminate", Demangler.demangle("_ZSt9terminatev"));
    }

    @Test
    void demangle_notMangledOrNotFollowed_isLeftAsIs() {
        assertEquals("getpid", Demangler.demangle("getpid"));
        assertEquals("_ZN3FooS_3barEv", Demangler.demangle("_ZN3FooS_3barEv"));
        assertEquals("_Zjunk", Demangler.demangle("_Zjunk"));
        assertEquals("_ZN3Fo", Demangler.demangle("_ZN3Fo"));
    }
}

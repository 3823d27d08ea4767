/*
 * A small firmware in the style of a vendor SDK, run from its reset vector: a
 * SystemInit that touches the clock and flash registers (PY32F003: RCC, FLASH ACR, the
 * factory HSI trim; RP2040: SIO CPUID, the hardware divider, a spinlock), VTOR, a
 * SysTick interrupt counting periods, and a main loop that times itself with SysTick.
 * The test runs it with two loop counts: the difference of mcubench's cycle counts must
 * equal the difference of what the firmware measured with SysTick.
 */
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)
#define SCB_VTOR REG(0xE000ED08)
#define NVIC_ISER REG(0xE000E100)

#ifdef CHIP_PY32F003
#define FLASH_BASE 0x08000000u
#define RCC_CR REG(0x40021000)
#define RCC_ICSCR REG(0x40021004)
#define RCC_CFGR REG(0x40021008)
#define FLASH_ACR REG(0x40022000)
#define HSI_8M_TRIM REG(0x1FFF0F04)
#else
#define FLASH_BASE 0x10000000u
#define SIO_CPUID REG(0xD0000000)
#define SIO_DIV_UDIVIDEND REG(0xD0000060)
#define SIO_DIV_UDIVISOR REG(0xD0000064)
#define SIO_DIV_QUOTIENT REG(0xD0000070)
#define SIO_DIV_REMAINDER REG(0xD0000074)
#define SIO_SPINLOCK7 REG(0xD000011C)
#endif

#define PERIOD 1000u /* SysTick reload + 1: an interrupt every 1,000 cycles */

volatile uint32_t ticks;        /* SysTick interrupts taken */
#ifndef ITERATIONS
#define ITERATIONS 4
#endif
volatile uint32_t iterations = ITERATIONS;
volatile uint32_t measured;     /* SysTick time of the main loop, in cycles */
volatile uint32_t check;        /* what SystemInit read back */
volatile uint32_t sink;

void SysTick_Handler(void) { ticks++; }

void SystemInit(void)
{
#ifdef CHIP_PY32F003
    RCC_ICSCR = (RCC_ICSCR & 0xFFFF0000u) | (1u << 13) | (HSI_8M_TRIM & 0xFFFFu);
    RCC_CR |= 1u << 8;                      /* HSION */
    while (!(RCC_CR & (1u << 10))) {}       /* HSIRDY */
    FLASH_ACR = 0;                          /* 0 wait states up to 24 MHz */
    RCC_CFGR = (RCC_CFGR & ~7u) | 0u;       /* SW = HSI */
    while ((RCC_CFGR >> 3) & 7u) {}         /* SWS follows */
    check = RCC_CR;
#else
    check = SIO_CPUID;                      /* core 0 */
    while (!SIO_SPINLOCK7) {}               /* claim */
    SIO_DIV_UDIVIDEND = 100;
    SIO_DIV_UDIVISOR = 7;
    __asm__ volatile("b 1f\n1: b 1f\n1: b 1f\n1: b 1f\n1:"); /* 8 cycles, as the SDK waits */
    check = SIO_DIV_QUOTIENT * 16 + SIO_DIV_REMAINDER;      /* 14 * 16 + 2 */
    SIO_SPINLOCK7 = 1;                      /* release */
#endif
    SCB_VTOR = FLASH_BASE;
}

__attribute__((noinline)) static uint32_t work(uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += i * i;
    return s;
}

int main(void)
{
    SYST_RVR = PERIOD - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;                           /* core clock, interrupt, enable */
    uint32_t t0 = SYST_CVR, ticks0 = ticks;
    for (uint32_t k = 0; k < iterations; k++)
        sink = work(300 + k);
    uint32_t t1 = SYST_CVR, ticks1 = ticks;
    SYST_CSR = 4;
    measured = (ticks1 - ticks0) * PERIOD + t0 - t1;
    return 0;
}

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

void Reset_Handler(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    SystemInit();
    main();
}

__attribute__((used, section(".vectors")))
const void *const vectors[16] = {
    &_estack, Reset_Handler, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SysTick_Handler,
};

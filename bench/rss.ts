/** Samples the resident set size every 50 ms while work runs: the peak of each run, not of the whole process. */
export const rssSampler = () => {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 50)
  return {
    stop: (): number => {
      clearInterval(timer)
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20)
    }
  }
}
